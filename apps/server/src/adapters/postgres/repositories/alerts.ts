import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { AlertRepo } from '../../../ports/repositories.ts';
import type { AlertInput, AlertRecord } from '../../../ports/types.ts';
import { binary, type Exec } from '../exec.ts';
import { alerts } from '../schema.ts';

const toAlert = (r: typeof alerts.$inferSelect): AlertRecord => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null });

export class PgAlerts implements AlertRepo {
  constructor(private readonly x: Exec) {}

  async insert(a: AlertInput): Promise<string> {
    const id = a.id ?? randomUUID();
    await this.x.db.insert(alerts).values({
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
    });
    return id;
  }

  async list(filter: { attemptId?: string; state: 'open' | 'acknowledged' | 'all'; limit: number }): Promise<AlertRecord[]> {
    const conds = [];
    if (filter.attemptId) conds.push(eq(alerts.attemptId, filter.attemptId));
    if (filter.state === 'open') conds.push(isNull(alerts.acknowledgedAt));
    if (filter.state === 'acknowledged') conds.push(sql`${alerts.acknowledgedAt} is not null`);
    const rows = await this.x.db
      .select()
      .from(alerts)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(alerts.at), sql`${binary(alerts.id)} desc`)
      .limit(filter.limit);
    return rows.map(toAlert);
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const [r] = await this.x.db.select().from(alerts).where(eq(alerts.id, id)).limit(1);
    return r && toAlert(r);
  }

  async ack(id: string, by: string, now: number): Promise<boolean> {
    const res = await this.x.db.update(alerts).set({ acknowledgedAt: now, acknowledgedBy: by }).where(and(eq(alerts.id, id), isNull(alerts.acknowledgedAt)));
    return (res.rowCount ?? 0) > 0;
  }

  async openCounts(): Promise<Map<string, number>> {
    const rows = await this.x.db
      .select({ attemptId: alerts.attemptId, n: count() })
      .from(alerts)
      .where(and(isNull(alerts.acknowledgedAt), sql`${alerts.attemptId} is not null`))
      .groupBy(alerts.attemptId);
    return new Map(rows.map((r) => [r.attemptId!, r.n]));
  }
}
