import { and, count, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { PlaceFilter } from '../../../ports/review-records.ts';
import { randomUUID } from 'node:crypto';
import type { AlertRepo } from '../../../ports/repositories.ts';
import type { AlertInput, AlertRecord } from '../../../ports/types.ts';
import { binary, type Exec } from '../exec.ts';
import { alerts } from '../schema.ts';

const toAlert = (r: typeof alerts.$inferSelect): AlertRecord => ({ ...r, lastAt: r.lastAt ?? r.at, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null });

/** Where a proctor may look: one of their assignments (a whole center, or one room of it). */
export function placeCondition(places: PlaceFilter, centerId: AnyPgColumn, roomId: AnyPgColumn): SQL | undefined {
  if (places.all) return undefined;
  const any = places.assignments.map((a) => (a.roomId === null ? eq(centerId, a.centerId) : and(eq(centerId, a.centerId), eq(roomId, a.roomId))));
  return any.length ? or(...any) : sql`false`;
}

export class PgAlerts implements AlertRepo {
  constructor(private readonly x: Exec) {}

  /** Coalesced: an upsert on the partial unique index over (attempt_id, kind) of open alerts. */
  async raise(a: AlertInput): Promise<{ id: string; count: number }> {
    const id = a.id ?? randomUUID();
    const n = Math.max(1, a.count ?? 1);
    const [r] = await this.x.db.insert(alerts).values({
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
      count: n,
      lastAt: a.at,
    })
      .onConflictDoUpdate({
        target: [alerts.attemptId, alerts.kind],
        targetWhere: sql`acknowledged_at IS NULL AND attempt_id IS NOT NULL`,
        set: {
          count: sql`${alerts.count} + excluded.count`,
          lastAt: sql`greatest(coalesce(${alerts.lastAt}, ${alerts.at}), excluded.last_at)`,
          message: sql`excluded.message`,
          detail: sql`excluded.detail`,
        },
      })
      .returning({ id: alerts.id, count: alerts.count });
    return { id: r!.id, count: Number(r!.count) };
  }

  async list(filter: { attemptId?: string; state: 'open' | 'acknowledged' | 'all'; places: PlaceFilter; before?: { at: number; id: string }; limit: number }): Promise<AlertRecord[]> {
    const conds: (SQL | undefined)[] = [placeCondition(filter.places, alerts.centerId, alerts.roomId)];
    if (filter.before) conds.push(or(lt(alerts.at, filter.before.at), and(eq(alerts.at, filter.before.at), sql`${binary(alerts.id)} < ${filter.before.id}`)));
    if (filter.attemptId) conds.push(eq(alerts.attemptId, filter.attemptId));
    if (filter.state === 'open') conds.push(isNull(alerts.acknowledgedAt));
    if (filter.state === 'acknowledged') conds.push(sql`${alerts.acknowledgedAt} is not null`);
    const rows = await this.x.db
      .select()
      .from(alerts)
      .where(and(...conds))
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
