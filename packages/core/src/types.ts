export type SessionStatus = 'active' | 'paused' | 'expired' | 'completed' | 'terminated';
export type Actor = 'candidate' | 'staff' | 'system';
export type PauseKind = 'candidate' | 'auto' | 'staff';
export type EndReason = 'submitted' | 'time_up' | 'force_submit' | 'paused_ttl' | 'terminated';

/**
 * Everything the rules need to know about one exam session. Plain data, no I/O.
 * Times are epoch milliseconds handed in by the caller; core never reads a clock.
 */
export interface SessionState {
  status: SessionStatus;
  isLocked: boolean;
  lockReason: string | null;
  /** Exam length plus any extensions granted by staff. */
  allowedMs: number;
  /** Clock time consumed before `runningSince`. */
  usedMs: number;
  /** When the clock last started; null whenever the clock is stopped. */
  runningSince: number | null;
  pausedAt: number | null;
  pauseKind: PauseKind | null;
  recoveryAttempts: number;
  endedAt: number | null;
  endReason: EndReason | null;
  /**
   * Time spent paused by staff (incident time), in ms: kept for the review and never charged to
   * the candidate. Added when a staff pause ends (resume, or the session ending while paused).
   */
  incidentMs: number;
}

export type SessionEvent =
  | { type: 'heartbeat' }
  | { type: 'pause'; by: 'candidate' | 'staff'; reason?: string }
  | { type: 'auto-pause'; lastSeenAt: number }
  | { type: 'resume'; by: 'candidate' | 'staff' }
  | { type: 'recover-ok' }
  | { type: 'recover-bad'; maxAttempts: number }
  | { type: 'lock'; reason: string }
  | { type: 'unlock' }
  | { type: 'submit'; by: 'candidate' | 'staff' }
  | { type: 'expire' }
  | { type: 'terminate'; by: 'candidate' | 'staff' }
  | { type: 'extend'; ms: number };

export type SessionEventType = SessionEvent['type'];

export type RuleErrorCode =
  | 'SESSION_FINISHED'
  | 'SESSION_LOCKED'
  | 'SESSION_NOT_ACTIVE'
  | 'SESSION_NOT_PAUSED'
  | 'PAUSED_BY_STAFF'
  | 'TIME_UP'
  | 'BAD_EVENT';

/** What the caller must do besides storing the new state. */
export type Effect =
  | { type: 'audit'; action: string; detail?: Record<string, unknown> }
  | { type: 'rotate-recovery-token' }
  | { type: 'ended'; reason: EndReason };

export type TransitionResult =
  | { ok: true; state: SessionState; effects: Effect[] }
  | { ok: false; code: RuleErrorCode; message: string; state: SessionState };
