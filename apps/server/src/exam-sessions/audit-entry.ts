import type { TransitionResult } from '@invigil/core';
import type { Actor, AuditEntry } from '../ports/types.ts';

/** An audit entry for a change to one attempt, attributed to whoever caused it. */
export function auditEntry(actor: Actor, attemptId: string, action: string, at: number, detail?: Record<string, unknown> | null, reason?: string | null): AuditEntry {
  const base = { at, action, attemptId, detail: detail ?? null };
  if (actor.type === 'candidate') return { ...base, actorType: 'candidate', actorId: actor.ref.candidateId, ip: actor.ref.ip, reason: reason ?? null };
  if (actor.type === 'staff') return { ...base, actorType: 'staff', actorId: actor.id, ip: actor.ip, reason: actor.reason ?? reason ?? null };
  return { ...base, actorType: 'system', actorId: null, ip: null, reason: reason ?? null };
}

/** The audit entries a transition's effects ask for. */
export function effectsToAudit(r: Extract<TransitionResult, { ok: true }>, actor: Actor, attemptId: string, at: number): AuditEntry[] {
  return r.effects.flatMap((e) =>
    e.type === 'audit' ? [auditEntry(actor, attemptId, e.action, at, e.detail, typeof e.detail?.reason === 'string' ? e.detail.reason : undefined)] : [],
  );
}
