import type { AuditEntry } from '../../ports/types.ts';
import type { auditEvents } from './schema.ts';

/** An audit entry as a row of `audit_events` (every SQLite adapter writes audit through this). */
export function auditRow(e: AuditEntry): typeof auditEvents.$inferInsert {
  return {
    at: e.at,
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    attemptId: e.attemptId ?? null,
    reason: e.reason ?? null,
    detail: e.detail ? JSON.stringify(e.detail) : null,
    ip: e.ip ?? null,
  };
}
