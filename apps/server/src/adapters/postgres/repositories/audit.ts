import type { AuditRepo } from '../../../ports/repositories.ts';
import type { AuditEntry } from '../../../ports/types.ts';
import type { Exec } from '../exec.ts';
import { auditEvents } from '../schema.ts';

/** Append-only (triggers refuse UPDATE, DELETE and TRUNCATE). */
export class PgAudit implements AuditRepo {
  constructor(private readonly x: Exec) {}

  async append(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.x.db.insert(auditEvents).values(
      entries.map((e) => ({
        at: e.at,
        actorType: e.actorType,
        actorId: e.actorId,
        action: e.action,
        attemptId: e.attemptId ?? null,
        reason: e.reason ?? null,
        detail: e.detail ? JSON.stringify(e.detail) : null,
        ip: e.ip ?? null,
      })),
    );
  }
}
