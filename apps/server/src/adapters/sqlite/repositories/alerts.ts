import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { AlertRepo } from '../../../ports/repositories.ts';
import type { AlertInput, AlertRecord } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { alerts } from '../schema.ts';
import type { Sync } from '../sync.ts';

const toAlert = (r: typeof alerts.$inferSelect): AlertRecord => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null });

export class SqliteAlerts implements Sync<AlertRepo> {
  constructor(private readonly db: Db) {}

  insert(a: AlertInput): string {
    const id = a.id ?? randomUUID();
    this.db
      .insert(alerts)
      .values({
        id,
        at: a.at,
        attemptId: a.attemptId,
        candidateId: a.candidateId,
        examId: a.examId,
        centerId: a.centerId ?? null,
        roomId: a.roomId ?? null,
        kind: a.kind,
        severity: a.severity,
        message: a.message,
        detail: a.detail ? JSON.stringify(a.detail) : null,
      })
      .run();
    return id;
  }

  list(filter: { attemptId?: string; state: 'open' | 'acknowledged' | 'all'; limit: number }): AlertRecord[] {
    const conds = [];
    if (filter.attemptId) conds.push(eq(alerts.attemptId, filter.attemptId));
    if (filter.state === 'open') conds.push(isNull(alerts.acknowledgedAt));
    if (filter.state === 'acknowledged') conds.push(sql`${alerts.acknowledgedAt} is not null`);
    return this.db
      .select()
      .from(alerts)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(alerts.at), desc(alerts.id))
      .limit(filter.limit)
      .all()
      .map(toAlert);
  }

  get(id: string): AlertRecord | undefined {
    const r = this.db.select().from(alerts).where(eq(alerts.id, id)).get();
    return r && toAlert(r);
  }

  ack(id: string, by: string, now: number): boolean {
    return this.db.update(alerts).set({ acknowledgedAt: now, acknowledgedBy: by }).where(and(eq(alerts.id, id), isNull(alerts.acknowledgedAt))).run().changes > 0;
  }

  openCounts(): Map<string, number> {
    const rows = this.db
      .select({ attemptId: alerts.attemptId, n: count() })
      .from(alerts)
      .where(and(isNull(alerts.acknowledgedAt), sql`${alerts.attemptId} is not null`))
      .groupBy(alerts.attemptId)
      .all();
    return new Map(rows.map((r) => [r.attemptId!, r.n]));
  }
}
