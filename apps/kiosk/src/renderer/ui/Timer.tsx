import type { KioskState } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { clock, plural, spoken } from '../format.ts';

/** Seconds left: from the synced deadline while the clock runs, else the last value the server gave. */
export function secondsLeft(c: KioskState['clock'], now: number): number | null {
  if (c.running && c.deadlineAt !== null) return Math.max(0, Math.ceil((c.deadlineAt - now) / 1000));
  return c.timeRemaining;
}

/** The seconds left, re-read twice a second while the clock runs (display only: the agent syncs it). */
export function useSecondsLeft(c: KioskState['clock']): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!c.running) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [c.running, c.deadlineAt]);
  return secondsLeft(c, c.running ? now : Date.now());
}

/**
 * The exam clock. It only shows what the agent synced from the server (deadlineAt is already in
 * local time); ticking here is display only. Offline past the server's pause threshold it says
 * "Clock stopped — reconnecting" (the server charges nothing after it). Screen readers hear the
 * time at 10, 5 and 1 minute left. Planned extra time (an accommodation) is said under the time.
 */
export function Timer(props: { clock: KioskState['clock']; left: number | null; held: boolean; extraMinutes?: number | undefined }) {
  const { left } = props;
  const low = left !== null && left <= 300;
  const milestone = left !== null && [600, 300, 60].find((m) => left <= m && left > m - 60);
  const label = props.held ? 'Clock stopped — reconnecting' : props.clock.running ? 'Time left' : 'Clock stopped';
  return (
    <div class={`timer${low ? ' timer-low' : ''}${props.clock.running ? '' : ' timer-stopped'}`}>
      <span class="timer-label">{label}</span>
      <span class="timer-value num" role="timer" aria-label={left === null ? 'Time left unknown' : `Time left: ${spoken(left)}`}>
        {left === null ? '–:––' : clock(left)}
      </span>
      {props.extraMinutes ? <span class="timer-extra">Includes {plural(props.extraMinutes, 'minute')} extra time</span> : null}
      <span class="sr-only" aria-live="polite">
        {milestone ? `${spoken(milestone)} left` : ''}
      </span>
    </div>
  );
}
