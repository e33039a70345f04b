import type { KioskState } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { clock, spoken } from '../format.ts';

/** Seconds left: from the synced deadline while the clock runs, else the last value the server gave. */
export function secondsLeft(c: KioskState['clock'], now: number): number | null {
  if (c.running && c.deadlineAt !== null) return Math.max(0, Math.ceil((c.deadlineAt - now) / 1000));
  return c.timeRemaining;
}

/**
 * The exam clock. It only shows what the agent synced from the server (deadlineAt is already in
 * local time); ticking here is display only. Screen readers hear the time at 10, 5 and 1 minute left.
 */
export function Timer(props: { clock: KioskState['clock'] }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!props.clock.running) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [props.clock.running]);
  const left = secondsLeft(props.clock, props.clock.running ? now : Date.now());
  const low = left !== null && left <= 300;
  const milestone = left !== null && [600, 300, 60].find((m) => left <= m && left > m - 60);
  return (
    <div class={`timer${low ? ' timer-low' : ''}${props.clock.running ? '' : ' timer-stopped'}`}>
      <span class="timer-label">{props.clock.running ? 'Time left' : 'Clock stopped'}</span>
      <span class="timer-value num" role="timer" aria-label={left === null ? 'Time left unknown' : `Time left: ${spoken(left)}`}>
        {left === null ? '–:––' : clock(left)}
      </span>
      <span class="sr-only" aria-live="polite">
        {milestone ? `${spoken(milestone)} left` : ''}
      </span>
    </div>
  );
}
