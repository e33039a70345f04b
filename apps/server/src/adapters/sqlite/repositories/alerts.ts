import { and, count, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { randomUUID } from 'node:crypto';
import type { AlertRepo } from '../../../ports/repositories.ts';
import type { PlaceFilter } from '../../../ports/review-records.ts';
import type { AlertInput, AlertRecord } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { alerts } from '../schema.ts';
import type { Sync } from '../sync.ts';

const toAlert = (r: typeof alerts.$inferSelect): AlertRecord => ({ ...r, lastAt: r.lastAt ?? r.at, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null });

/** Where a proctor may look: one of their assignments (a whole center, or one room of it). */
export function placeCondition(places: PlaceFilter, centerId: AnySQLiteColumn, roomId: AnySQLiteColumn): SQL | undefined {
  if (places.all) return undefined;
  const any = places.assignments.map((a) => (a.roomId === null ? eq(centerId, a.centerId) : and(eq(centerId, a.centerId), eq(roomId, a.roomId))));
  return any.length ? or(...any) : sql`0`;
}

export class SqliteAlerts implements Sync<AlertRepo> {
  constructor(private readonly db: Db) {}

  raise(a: AlertInput): { id: string; count: number } {
    const id = a.id ?? randomUUID();
    const n = Math.max(1, a.count ?? 1);
    const r = this.db
      .insert(alerts)
      .values({
        id,
        at: a.at,
        lastAt: a.at,
        count: n,
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
      .onConflictDoUpdate({
        target: [alerts.attemptId, alerts.kind],
        targetWhere: sql`acknowledged_at IS NULL AND attempt_id IS NOT NULL`,
        set: {
          count: sql`${alerts.count} + excluded.count`,
          lastAt: sql`max(coalesce(${alerts.lastAt}, ${alerts.at}), excluded.last_at)`,
          message: sql`excluded.message`,
          detail: sql`excluded.detail`,
        },
      })
      .returning({ id: alerts.id, count: alerts.count })
      .get();
    return r;
  }

  list(filter: { attemptId?: string; state: 'open' | 'acknowledged' | 'all'; places: PlaceFilter; before?: { at: number; id: string }; limit: number }): AlertRecord[] {
    const conds: (SQL | undefined)[] = [placeCondition(filter.places, alerts.centerId, alerts.roomId)];
    if (filter.attemptId) conds.push(eq(alerts.attemptId, filter.attemptId));
    if (filter.state === 'open') conds.push(isNull(alerts.acknowledgedAt));
    if (filter.state === 'acknowledged') conds.push(sql`${alerts.acknowledgedAt} is not null`);
    if (filter.before) conds.push(or(lt(alerts.at, filter.before.at), and(eq(alerts.at, filter.before.at), lt(alerts.id, filter.before.id))));
    return this.db
      .select()
      .from(alerts)
      .where(and(...conds))
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
