import { activationBlocked, settle, transition, type SessionEvent, type TransitionResult } from '@invigil/core';
import { conflict, forbidden, invalid, locked, type DomainError } from '../ports/errors.ts';
import type { Actor, AuditEntry, SessionRecord } from '../ports/types.ts';
import { auditEntry, effectsToAudit } from './audit-entry.ts';

/** What a change to one session comes to: decided by pure code, stored in one transaction. */
export interface Decision<T> {
  /** The session after the change; omitted when it stays as it was. */
  record?: SessionRecord;
  audit?: AuditEntry[];
  /** Thrown after the commit: what was decided is still stored (a settled clock, a counted failure). */
  error?: DomainError;
  result: T;
}

/** A refused transition as the domain error the API answers. */
export function ruleError(r: Extract<TransitionResult, { ok: false }>): DomainError {
  switch (r.code) {
    case 'SESSION_LOCKED':
      return locked(r.message);
    case 'PAUSED_BY_STAFF':
      return forbidden(r.message, 'PAUSED_BY_STAFF');
    case 'BAD_EVENT':
      return invalid('BAD_REQUEST', r.message);
    case 'TIME_UP':
      return conflict('SESSION_FINISHED', r.message);
    default:
      return conflict(r.code, r.message);
  }
}

export interface EventOptions {
  /** The change may make the session active: refused while another session of the candidate is. */
  needsActivation?: boolean;
  /** Non-rule fields that change with it (device binding, token rotation, transfer code…). */
  mutate?: (rec: SessionRecord) => SessionRecord;
  /** Audit entries besides the transition's own. */
  audit?: (rec: SessionRecord) => AuditEntry[];
}

/**
 * Applies one domain event to a session, purely: settle the clock first (time up → completed),
 * then the transition, then the activation gate. `others` are the candidate's other sessions.
 */
export function decideEvent(current: SessionRecord, others: readonly SessionRecord[], event: SessionEvent, actor: Actor, now: number, opts: EventOptions = {}): Decision<SessionRecord> {
  let rec = current;
  const audit: AuditEntry[] = [];
  const settled = settle(rec.state, now);
  if (settled) {
    rec = { ...rec, state: settled.state };
    audit.push(...effectsToAudit(settled, { type: 'system' }, rec.attemptId, now));
  }
  const refuse = (error: DomainError): Decision<SessionRecord> => (settled ? { record: rec, audit, error, result: rec } : { error, result: rec });
  const r = transition(rec.state, event, now);
  if (!r.ok) return refuse(ruleError(r));
  if (opts.needsActivation && activationBlocked(rec.state, r.state, others.map((o) => o.state))) {
    return refuse(conflict('ACTIVE_SESSION_EXISTS', 'another exam session of yours is active; pause or finish it first'));
  }
  let next: SessionRecord = { ...rec, state: r.state };
  if (r.state.status === 'active' && rec.state.status !== 'active') next.lastActivityAt = now;
  if (opts.mutate) next = opts.mutate(next);
  audit.push(...effectsToAudit(r, actor, rec.attemptId, now));
  if (opts.audit) audit.push(...opts.audit(next));
  return { record: next, audit, result: next };
}

export { auditEntry };
