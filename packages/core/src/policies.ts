import { isFinalStatus } from './state-machine.ts';
import type { SessionStatus } from './types.ts';

export interface CandidateSessionSummary {
  examId: string;
  status: SessionStatus;
}

export type StartDecision =
  | { ok: true }
  | { ok: false; code: 'ACTIVE_SESSION_EXISTS' | 'PAUSED_SESSION_EXISTS' | 'TOO_MANY_PAUSED_SESSIONS' | 'ATTEMPT_FINISHED'; message: string };

/**
 * Whether a candidate may start an attempt at `examId`, given every session they have.
 * One attempt per exam: a paused one is resumed, not restarted; a finished one is final
 * (abandoning an attempt must not buy a fresh clock).
 * The database enforces "one active session" atomically as well; this decides the friendly answer.
 */
export function decideStart(sessions: readonly CandidateSessionSummary[], examId: string, maxPausedSessions: number): StartDecision {
  if (sessions.some((s) => s.status === 'active')) {
    return { ok: false, code: 'ACTIVE_SESSION_EXISTS', message: 'you already have an active exam session' };
  }
  const forExam = sessions.filter((s) => s.examId === examId);
  if (forExam.some((s) => s.status === 'paused')) {
    return { ok: false, code: 'PAUSED_SESSION_EXISTS', message: 'this exam has a paused session: resume or recover it' };
  }
  if (forExam.length > 0) {
    return { ok: false, code: 'ATTEMPT_FINISHED', message: 'this exam was already attempted' };
  }
  const paused = sessions.filter((s) => s.status === 'paused').length;
  if (paused >= maxPausedSessions) {
    return { ok: false, code: 'TOO_MANY_PAUSED_SESSIONS', message: `you have ${paused} paused sessions; finish or abandon one first` };
  }
  return { ok: true };
}

/** Whether a session may become active, given the candidate's other sessions. */
export function mayActivate(otherSessions: readonly { status: SessionStatus }[]): boolean {
  return !otherSessions.some((s) => s.status === 'active');
}

/**
 * The activation gate: a change that makes a session active (resume, recovery, a transfer claim)
 * is refused while another session of the same candidate is active.
 */
export function activationBlocked(before: { status: SessionStatus }, after: { status: SessionStatus }, otherSessions: readonly { status: SessionStatus }[]): boolean {
  return after.status === 'active' && before.status !== 'active' && !mayActivate(otherSessions);
}

/** The heartbeat settings a session runs under: the server's, with its exam's overrides on top. */
export interface HeartbeatPolicy {
  heartbeatIntervalMs: number;
  missedHeartbeatsBeforePause: number;
}

/** How long a session may stay silent before it counts as offline (and is auto-paused). */
export function silenceMs(p: HeartbeatPolicy): number {
  return p.heartbeatIntervalMs * p.missedHeartbeatsBeforePause;
}

/**
 * Whether a kiosk counts as online: its session is not final and it was heard from within the
 * silence threshold. The console shows this; the sweeper auto-pauses the active ones that are not.
 */
export function isOnline(status: SessionStatus, lastSeenAt: number | null, now: number, silence: number): boolean {
  return !isFinalStatus(status) && lastSeenAt !== null && now - lastSeenAt < silence;
}

/** The blockReason the active-sessions route shows, or undefined when a start is possible. */
export function blockReason(sessions: readonly { status: SessionStatus }[], maxPausedSessions: number): string | undefined {
  if (sessions.some((s) => s.status === 'active')) return 'You have an active exam session';
  if (sessions.filter((s) => s.status === 'paused').length >= maxPausedSessions) return 'You have too many paused sessions';
  return undefined;
}
