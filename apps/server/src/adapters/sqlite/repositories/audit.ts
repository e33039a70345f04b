import type { AuditRepo } from '../../../ports/repositories.ts';
import type { AuditEntry } from '../../../ports/types.ts';
import { auditRow } from '../audit-row.ts';
import type { Db } from '../open.ts';
import { preparedInsert } from '../prepared-insert.ts';
import { auditEvents } from '../schema.ts';
import { atomic, type Sync } from '../sync.ts';

/** Append-only (triggers refuse UPDATE and DELETE). One INSERT prepared once; several entries go in atomically. */
export class SqliteAudit implements Sync<AuditRepo> {
  private readonly insertRow;

  constructor(private readonly db: Db) {
    this.insertRow = preparedInsert(db.$client, auditEvents);
  }

  append(entries: AuditEntry[]): void {
    if (entries.length === 1) this.insertRow(auditRow(entries[0]!));
    else if (entries.length > 1)
      atomic(this.db, () => {
        for (const e of entries) this.insertRow(auditRow(e));
      });
  }
}
