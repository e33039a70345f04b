import type { AuditEntry, Principal } from '../ports/types.ts';

/** Who did it, from where: the caller of an admin route. */
export interface Actor {
  principal: Principal;
  ip: string;
}

/** An audit entry for a staff action: actor, action and what changed. */
export function staffAudit(by: Actor, at: number, action: string, detail: Record<string, unknown>): AuditEntry {
  return { at, actorType: 'staff', actorId: by.principal.userId, action, detail, ip: by.ip };
}
