import type { Event, Input } from 'electron';
import { isBlockedInput } from '../policy/input-filter.ts';
import { forEachWebContents } from './each-web-contents.ts';
import type { LockdownModule } from './types.ts';

/** "Ctrl+Alt+Delete"-style name of a key chord, for staff. */
export function chordName(input: Pick<Input, 'key' | 'control' | 'alt' | 'shift' | 'meta'>): string {
  const mods = [input.control && 'Ctrl', input.alt && 'Alt', input.shift && 'Shift', input.meta && 'Meta'].filter(Boolean);
  return [...mods, input.key.length === 1 ? input.key.toUpperCase() : input.key].join('+');
}

/** Swallows blocked key chords before the page sees them (the table is policy/input-filter.ts). */
export const shortcutFilter: LockdownModule = {
  name: 'shortcutFilter',
  install(ctx) {
    return forEachWebContents(ctx, (wc) => {
      const onInput = (e: Event, input: Input) => {
        if (!isBlockedInput(input, ctx.platform)) return;
        e.preventDefault();
        if (input.type !== 'keyDown') return;
        ctx.log.info('shortcut blocked', { key: input.key, control: input.control, alt: input.alt, meta: input.meta, shift: input.shift });
        ctx.integrity.blocked('shortcut_blocked', chordName(input));
      };
      wc.on('before-input-event', onInput);
      return () => wc.removeListener('before-input-event', onInput);
    });
  },
};
