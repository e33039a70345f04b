import type { Logger } from 'pino';
import type { ReviewService } from './review-service.ts';

const SWEEP_EVERY_MS = 60_000;
const SWEEP_CHUNK = 25;

/**
 * Seals attempts into their archives: right after a session ends (on the next turn, so what the
 * same request does after the change, such as the proctor's instruction to the kiosk, is in the
 * timeline), and by a sweep every minute that repairs a crash between an end and its sealing.
 */
export class Sealing {
  private stopped = false;
  private sweeping = false;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly d: { review: ReviewService; log: Pick<Logger, 'info' | 'error'> }) {}

  /** The session-ended hook; never throws into the caller. */
  onSessionEnded = (attemptId: string): void => {
    setImmediate(() => {
      if (!this.stopped) void this.d.review.sealSafely(attemptId);
    });
  };

  /** Seals final attempts left without an archive, a chunk per event-loop turn (never blocks for long). */
  async sweep(): Promise<number> {
    if (this.sweeping || this.stopped) return 0;
    this.sweeping = true;
    let sealed = 0;
    try {
      let after: string | undefined;
      do {
        const step = await this.d.review.sweepStep(after, SWEEP_CHUNK);
        sealed += step.sealed;
        after = step.next;
        await new Promise<void>((res) => setImmediate(res));
      } while (after !== undefined && !this.stopped);
      if (sealed) this.d.log.info({ sealed }, 'archive sweep sealed attempts left without an archive');
    } catch (err) {
      if (!this.stopped) this.d.log.error({ err }, 'archive sweep failed');
    } finally {
      this.sweeping = false;
    }
    return sealed;
  }

  start(): void {
    setImmediate(() => void this.sweep());
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }
}
