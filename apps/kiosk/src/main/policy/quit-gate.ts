import { QuitAttemptLimiter, verifyQuitCode } from './quit-code.ts';

export type QuitCheck =
  | { ok: true }
  | { ok: false; reason: 'rate-limited'; retryAfterMs: number }
  | { ok: false; reason: 'wrong-code' }
  | { ok: false; reason: 'not-configured' };

export type QuitReason = 'staff-code' | 'staff-instruction' | 'os-shutdown' | 'second-instance' | 'startup-failure';

/**
 * Whether the kiosk may quit. Closed from the start; opened by the right staff code (rate
 * limited, one check at a time), by a staff "quit" instruction from the server, or by the OS
 * shutting down. The quit guard refuses every quit and window close while it is closed.
 */
export class QuitGate {
  private openedFor: QuitReason | null = null;
  private checking = false;

  constructor(
    private readonly storedHash: string | null,
    private readonly limiter: QuitAttemptLimiter,
    private readonly now: () => number,
  ) {}

  get isOpen(): boolean {
    return this.openedFor !== null;
  }

  get reason(): QuitReason | null {
    return this.openedFor;
  }

  open(reason: QuitReason): void {
    this.openedFor ??= reason;
  }

  /** Checks a staff code; opens the gate when it is right. */
  async tryUnlock(code: string): Promise<QuitCheck> {
    const r = await this.check(code);
    if (r.ok) this.open('staff-code');
    return r;
  }

  /**
   * Checks a staff code without opening the gate (staff actions at the kiosk, such as changing the
   * server): the same hash, the same rate limit and one check at a time, shared with quitting.
   */
  async check(code: string): Promise<QuitCheck> {
    // One check at a time, so parallel guesses cannot all slip in before the first failure counts.
    if (this.checking) return { ok: false, reason: 'rate-limited', retryAfterMs: 1_000 };
    const wait = this.limiter.retryAfterMs(this.now());
    if (wait > 0) return { ok: false, reason: 'rate-limited', retryAfterMs: wait };
    if (!this.storedHash) return { ok: false, reason: 'not-configured' };
    this.checking = true;
    try {
      if (await verifyQuitCode(code, this.storedHash)) {
        this.limiter.recordSuccess();
        return { ok: true };
      }
      this.limiter.recordFailure(this.now());
      return { ok: false, reason: 'wrong-code' };
    } finally {
      this.checking = false;
    }
  }
}
