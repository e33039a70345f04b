import type { KioskState } from '@invigil/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import { invoke, type KioskBridge } from '../kiosk-api.ts';

export const TEXT_SIZES = ['Standard', 'Large', 'Larger', 'Largest'] as const;

/**
 * The candidate's text size (four steps) and high-contrast theme: the agent keeps them with the
 * candidate's login (for the whole attempt, a restart included) and forgets them at sign-out.
 */
export function DisplayControls(props: { k: KioskBridge; display: KioskState['display'] }) {
  // What was last asked for, shown at once: two quick clicks step twice (each from the one before),
  // not twice from the value the agent had last pushed. The agent's state wins once it arrives.
  const [shown, setShown] = useState(props.display);
  const latest = useRef(props.display);
  useEffect(() => {
    latest.current = props.display;
    setShown(props.display);
  }, [props.display.textSize, props.display.highContrast]);
  const { textSize, highContrast } = shown;
  const set = (change: Partial<KioskState['display']>) => {
    const d = { ...latest.current, ...change };
    latest.current = d;
    setShown(d);
    void invoke(props.k, 'setDisplay', d);
  };
  return (
    <div class="display-controls" role="group" aria-label="Display settings">
      <span class="display-label" aria-hidden="true">
        Text
      </span>
      <button type="button" class="btn btn-small" disabled={textSize === 0} onClick={() => set({ textSize: Math.max(0, latest.current.textSize - 1) })}>
        <span aria-hidden="true">A−</span>
        <span class="sr-only">Smaller text</span>
      </button>
      <span class="display-size" aria-live="polite">
        <span class="sr-only">Text size: </span>
        {TEXT_SIZES[textSize]}
      </span>
      <button type="button" class="btn btn-small" disabled={textSize === TEXT_SIZES.length - 1} onClick={() => set({ textSize: Math.min(TEXT_SIZES.length - 1, latest.current.textSize + 1) })}>
        <span aria-hidden="true">A+</span>
        <span class="sr-only">Larger text</span>
      </button>
      <button type="button" class="btn btn-small" aria-pressed={highContrast ? 'true' : 'false'} onClick={() => set({ highContrast: !latest.current.highContrast })}>
        High contrast
      </button>
    </div>
  );
}

/** Applies the display choices to the whole page (classes on <html>: the CSP forbids style attributes). */
export function useDisplay(display: KioskState['display']): void {
  useEffect(() => {
    const root = document.documentElement;
    for (let i = 0; i < TEXT_SIZES.length; i++) root.classList.toggle(`text-${i}`, i === display.textSize);
    root.classList.toggle('theme-contrast', display.highContrast);
  }, [display.textSize, display.highContrast]);
}
