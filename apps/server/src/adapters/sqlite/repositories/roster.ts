import { count, eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Placement, RosterWrite } from '../../../ports/admin-records.ts';
import type { RosterRepo } from '../../../ports/repositories.ts';
import type { Db } from '../open.ts';
import { candidates, registrations } from '../schema.ts';
import { atomic, type Sync } from '../sync.ts';
import { mappingUnique } from '../unique.ts';

/** Roster import: statements prepared once, run for every row inside one transaction. */
export class SqliteRoster implements Sync<RosterRepo> {
  private readonly insertCandidate;
  private readonly upsertPlaced;
  private readonly upsertKeepPlace;
  private readonly clearSeat;

  constructor(private readonly db: Db) {
    this.insertCandidate = db
      .insert(candidates)
      .values({ candidateId: sql.placeholder('candidateId'), name: sql.placeholder('name'), createdAt: sql.placeholder('now') })
      .onConflictDoUpdate({ target: candidates.candidateId, set: { name: sql`excluded.name` } })
      .prepare();
    const registration = {
      id: sql.placeholder('id'),
      examId: sql.placeholder('examId'),
      candidateId: sql.placeholder('candidateId'),
      accessCodeHash: sql.placeholder('accessCodeHash'),
      centerId: sql.placeholder('centerId'),
      roomId: sql.placeholder('roomId'),
      seat: sql.placeholder('seat'),
      createdAt: sql.placeholder('now'),
    };
    this.upsertPlaced = db
      .insert(registrations)
      .values(registration)
      .onConflictDoUpdate({
        target: [registrations.examId, registrations.candidateId],
        set: { accessCodeHash: sql`excluded.access_code_hash`, centerId: sql`excluded.center_id`, roomId: sql`excluded.room_id`, seat: sql`excluded.seat` },
      })
      .prepare();
    this.upsertKeepPlace = db
      .insert(registrations)
      .values(registration)
      .onConflictDoUpdate({ target: [registrations.examId, registrations.candidateId], set: { accessCodeHash: sql`excluded.access_code_hash` } })
      .prepare();
    this.clearSeat = db.$client.prepare('UPDATE registrations SET seat = NULL WHERE exam_id = ? AND candidate_id = ? AND seat IS NOT NULL');
  }

  placements(examId: string): Map<string, Placement> {
    const rows = this.db
      .select({ candidateId: registrations.candidateId, centerId: registrations.centerId, roomId: registrations.roomId, seat: registrations.seat })
      .from(registrations)
      .where(eq(registrations.examId, examId))
      .all();
    return new Map(rows.map((r) => [r.candidateId, { centerId: r.centerId, roomId: r.roomId, seat: r.seat }]));
  }

  /**
   * The seats of the rows that move are cleared first, then every row is written: a swap within
   * one import (A 1→2, B 2→1) never has two candidates in one seat, which the unique seat index
   * would refuse row by row. (Seats taken by anyone else were refused by the service already.)
   */
  import(examId: string, rows: RosterWrite[], now: number): { created: number; updated: number } {
    return atomic(this.db, () => {
      const countFor = () => this.db.select({ n: count() }).from(registrations).where(eq(registrations.examId, examId)).get()?.n ?? 0;
      const before = countFor();
      for (const row of rows) if (row.placement) this.clearSeat.run(examId, row.candidateId);
      for (const row of rows) {
        this.insertCandidate.run({ candidateId: row.candidateId, name: row.name, now });
        const params = {
          id: randomUUID(),
          examId,
          candidateId: row.candidateId,
          accessCodeHash: row.accessCodeHash,
          centerId: row.placement?.centerId ?? null,
          roomId: row.placement?.roomId ?? null,
          seat: row.placement?.seat ?? null,
          now,
        };
        mappingUnique(() => (row.placement ? this.upsertPlaced.run(params) : this.upsertKeepPlace.run(params)));
      }
      const created = countFor() - before;
      return { created, updated: rows.length - created };
    });
  }
}
