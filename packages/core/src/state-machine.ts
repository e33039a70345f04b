import { clockRuns, remainingMs, startClock, stopClock } from './clock.ts';
import type { Effect, EndReason, RuleErrorCode, SessionEvent, SessionState, TransitionResult } from './types.ts';

/** The statuses a session never leaves. Server, agent and console all use this one list. */
export const FINAL_STATUSES = ['expired', 'completed', 'terminated'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export function isFinalStatus(status: string): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export function isFinal(state: Pick<SessionState, 'status'>): boolean {
  return isFinalStatus(state.status);
}

/** Whether the candidate may resume the session themselves (a staff pause or a lock needs staff). */
export function canResume(state: Pick<SessionState, 'status' | 'isLocked' | 'pauseKind'>): boolean {
  return state.status === 'paused' && !state.isLocked && state.pauseKind !== 'staff';
}

/** A fresh session, clock running from `now`. */
export function initialState(allowedMs: number, now: number): SessionState {
  return {
    status: 'active',
    isLocked: false,
    lockReason: null,
    allowedMs,
    usedMs: 0,
    runningSince: now,
    pausedAt: null,
    pauseKind: null,
    recoveryAttempts: 0,
    endedAt: null,
    endReason: null,
    incidentMs: 0,
  };
}

function refuse(state: SessionState, code: RuleErrorCode, message: string): TransitionResult {
  return { ok: false, code, message, state };
}

function done(state: SessionState, ...effects: Effect[]): TransitionResult {
  return { ok: true, state, effects };
}

/** Keeps the invariant "the clock runs iff active and unlocked" after any change. */
function settleClock(state: SessionState, now: number): SessionState {
  return clockRuns(state) ? startClock(state, now) : stopClock(state, now);
}

function end(state: SessionState, now: number, status: 'completed' | 'expired' | 'terminated', reason: EndReason): SessionState {
  const stopped = stopClock(state, now);
  return { ...stopped, status, endedAt: now, endReason: reason, pausedAt: null, pauseKind: null };
}

export function isTimeUp(state: SessionState, now: number): boolean {
  return clockRuns(state) && remainingMs(state, now) === 0;
}

/**
 * Applies what time alone decides: an active session whose time has run out is completed
 * (auto-submit), as of the moment the time ran out. Returns null when nothing changes.
 * Callers settle a loaded session before applying any event to it.
 */
export function settle(state: SessionState, now: number): (TransitionResult & { ok: true }) | null {
  if (!isTimeUp(state, now)) return null;
  const timeUpAt = (state.runningSince ?? now) + (state.allowedMs - state.usedMs);
  return {
    ok: true,
    state: end(state, Math.min(now, timeUpAt), 'completed', 'time_up'),
    effects: [{ type: 'audit', action: 'session.completed', detail: { reason: 'time_up' } }, { type: 'ended', reason: 'time_up' }],
  };
}

/**
 * Whether a paused session has been paused longer than `ttlMs` and so must expire.
 */
export function shouldExpire(state: SessionState, now: number, ttlMs: number): boolean {
  return state.status === 'paused' && state.pausedAt !== null && now - state.pausedAt >= ttlMs;
}

/**
 * Whether an active session has been silent long enough to be auto-paused.
 */
export function isSilent(state: SessionState, lastSeenAt: number, now: number, silenceMs: number): boolean {
  // A locked session's clock is stopped and its heartbeats are refused untouched: it is never auto-paused.
  return clockRuns(state) && now - lastSeenAt >= silenceMs;
}

/**
 * The exam-session rules as one pure function. A refused event leaves the state as it was.
 * An event on a session whose time is up is refused with TIME_UP: callers settle() first.
 */
export function transition(state: SessionState, event: SessionEvent, now: number): TransitionResult {
  const r = decide(state, event, now);
  return r.ok ? { ...r, state: withIncidentTime(state, r.state, now) } : r;
}

/** Time a session spent paused by staff is incident time: counted when the staff pause ends. */
function withIncidentTime(before: SessionState, after: SessionState, now: number): SessionState {
  const leftStaffPause = before.status === 'paused' && before.pauseKind === 'staff' && before.pausedAt !== null && after.status !== 'paused';
  return leftStaffPause ? { ...after, incidentMs: before.incidentMs + Math.max(0, now - before.pausedAt!) } : after;
}

function decide(state: SessionState, event: SessionEvent, now: number): TransitionResult {
  if (isFinal(state)) {
    return refuse(state, 'SESSION_FINISHED', `the session is ${state.status}`);
  }
  if (isTimeUp(state, now)) {
    return refuse(state, 'TIME_UP', 'exam time is over; settle() the session first');
  }

  const candidateLike = (e: SessionEvent): boolean =>
    e.type === 'heartbeat' ||
    e.type === 'recover-ok' ||
    e.type === 'recover-bad' ||
    (e.type === 'pause' && e.by === 'candidate') ||
    (e.type === 'resume' && e.by === 'candidate') ||
    (e.type === 'submit' && e.by === 'candidate') ||
    (e.type === 'terminate' && e.by === 'candidate');
  if (state.isLocked && candidateLike(event)) {
    return refuse(state, 'SESSION_LOCKED', `the session is locked: ${state.lockReason ?? 'by staff'}`);
  }

  switch (event.type) {
    case 'heartbeat':
      if (state.status !== 'active') return refuse(state, 'SESSION_NOT_ACTIVE', `the session is ${state.status}`);
      return done(state);

    case 'pause': {
      if (state.status !== 'active') return refuse(state, 'SESSION_NOT_ACTIVE', `the session is ${state.status}`);
      const paused = settleClock({ ...state, status: 'paused', pausedAt: now, pauseKind: event.by }, now);
      return done(paused, { type: 'audit', action: 'session.paused', detail: { by: event.by, reason: event.reason ?? null } });
    }

    case 'auto-pause': {
      if (state.status !== 'active') return refuse(state, 'SESSION_NOT_ACTIVE', `the session is ${state.status}`);
      // Charge the candidate only up to the last sign of life, not for the time it took us to notice.
      const lastSeen = Math.min(now, event.lastSeenAt);
      const stopped = stopClock(state, lastSeen);
      return done(
        { ...stopped, status: 'paused', pausedAt: now, pauseKind: 'auto' },
        { type: 'audit', action: 'session.auto_paused', detail: { lastSeenAt: lastSeen } },
      );
    }

    case 'resume': {
      if (state.status !== 'paused') return refuse(state, 'SESSION_NOT_PAUSED', `the session is ${state.status}`);
      if (event.by === 'candidate' && state.pauseKind === 'staff') {
        return refuse(state, 'PAUSED_BY_STAFF', 'staff paused this session; only staff can resume it');
      }
      if (state.isLocked) return refuse(state, 'SESSION_LOCKED', `the session is locked: ${state.lockReason ?? 'by staff'}`);
      const resumed = settleClock({ ...state, status: 'active', pausedAt: null, pauseKind: null }, now);
      return done(resumed, { type: 'audit', action: 'session.resumed', detail: { by: event.by } });
    }

    case 'recover-ok': {
      // Recovery proves "this is the same kiosk after a crash": it revives an auto- or self-paused
      // session, but never overrides a pause that staff asked for.
      const revive = state.status === 'paused' && state.pauseKind !== 'staff';
      const next = revive
        ? settleClock({ ...state, status: 'active' as const, pausedAt: null, pauseKind: null, recoveryAttempts: 0 }, now)
        : { ...state, recoveryAttempts: 0 };
      return done(next, { type: 'audit', action: 'session.recovered', detail: { revived: revive } }, { type: 'rotate-recovery-token' });
    }

    case 'recover-bad': {
      const attempts = state.recoveryAttempts + 1;
      if (attempts >= event.maxAttempts) {
        const locked = settleClock({ ...state, recoveryAttempts: attempts, isLocked: true, lockReason: 'too many failed recovery attempts' }, now);
        return done(
          locked,
          { type: 'audit', action: 'session.recovery_failed', detail: { attempts } },
          { type: 'audit', action: 'session.locked', detail: { reason: 'too many failed recovery attempts' } },
        );
      }
      return done({ ...state, recoveryAttempts: attempts }, { type: 'audit', action: 'session.recovery_failed', detail: { attempts } });
    }

    case 'lock': {
      if (state.isLocked) return done(state);
      const locked = settleClock({ ...state, isLocked: true, lockReason: event.reason }, now);
      return done(locked, { type: 'audit', action: 'session.locked', detail: { reason: event.reason } });
    }

    case 'unlock': {
      if (!state.isLocked) return done(state);
      const unlocked = settleClock({ ...state, isLocked: false, lockReason: null, recoveryAttempts: 0 }, now);
      return done(unlocked, { type: 'audit', action: 'session.unlocked' });
    }

    case 'submit': {
      const reason: EndReason = event.by === 'candidate' ? 'submitted' : 'force_submit';
      return done(end(state, now, 'completed', reason), { type: 'audit', action: 'session.completed', detail: { reason } }, { type: 'ended', reason });
    }

    case 'expire': {
      if (state.status !== 'paused') return refuse(state, 'SESSION_NOT_PAUSED', 'only paused sessions expire');
      return done(end(state, now, 'expired', 'paused_ttl'), { type: 'audit', action: 'session.expired' }, { type: 'ended', reason: 'paused_ttl' });
    }

    case 'terminate':
      return done(end(state, now, 'terminated', 'terminated'), { type: 'audit', action: 'session.terminated', detail: { by: event.by } }, { type: 'ended', reason: 'terminated' });

    case 'extend': {
      if (!Number.isInteger(event.ms) || event.ms <= 0) return refuse(state, 'BAD_EVENT', 'an extension must be a positive number of milliseconds');
      return done({ ...state, allowedMs: state.allowedMs + event.ms }, { type: 'audit', action: 'session.extended', detail: { ms: event.ms } });
    }
  }
}
