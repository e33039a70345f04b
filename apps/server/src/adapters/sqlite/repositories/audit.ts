import type { AuditRepo } from '../../../ports/repositories.ts';
import type { AuditEntry } from '../../../ports/types.ts';
import { auditRow } from '../audit-row.ts';
import type { Db } from '../open.ts';
import { auditEvents } from '../schema.ts';
import type { Sync } from '../sync.ts';

/** Append-only (triggers refuse UPDATE and DELETE). */
export class SqliteAudit implements Sync<AuditRepo> {
  constructor(private readonly db: Db) {}

  append(entries: AuditEntry[]): void {
    if (entries.length) this.db.insert(auditEvents).values(entries.map(auditRow)).run();
  }
}
