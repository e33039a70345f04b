/**
 * When the exam page's renderer crashes, main reloads it (the candidate's answers are safe in the
 * agent's outbox, in main). A page that crashes again and again must not spin the CPU in a
 * reload loop, but the kiosk never gives up on the candidate either: each reload waits longer
 * (0 s, 1 s, 2 s, 4 s … up to 30 s) while crashes keep coming, and the wait starts over once the
 * page has stayed up for a minute.
 */
export const CRASH_RELOAD_MAX_DELAY_MS = 30_000;
export const CRASH_RELOAD_CALM_MS = 60_000;

export class CrashReloadPolicy {
  private streak = 0;
  private lastCrashAt = -Infinity;

  /** Records a crash at `now` and answers how long to wait before reloading. */
  onCrash(now: number): number {
    if (now - this.lastCrashAt >= CRASH_RELOAD_CALM_MS) this.streak = 0;
    this.lastCrashAt = now;
    const delay = this.streak === 0 ? 0 : Math.min(CRASH_RELOAD_MAX_DELAY_MS, 1_000 * 2 ** (this.streak - 1));
    this.streak += 1;
    return delay;
  }
}
