import { and, asc, count, eq, inArray, isNull, ne } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Placement, RegistrationRecord } from '../../../ports/admin-records.ts';
import type { RegistrationRepo } from '../../../ports/repositories.ts';
import type { RegistrationRecordLite } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { candidates, centers, registrations, rooms } from '../schema.ts';
import { atomic, type Sync } from '../sync.ts';
import { mappingUnique } from '../unique.ts';

export class SqliteRegistrations implements Sync<RegistrationRepo> {
  private readonly findOne;

  constructor(private readonly db: Db) {
    // Every sign-in and every start reads the registration: prepared once.
    const find = db.$client.prepare(
      `SELECT r.id AS "id", r.access_code_hash AS "accessCodeHash", c.name AS "name", r.center_id AS "centerId", r.room_id AS "roomId", r.seat AS "seat", r.extra_time_minutes AS "extraTimeMinutes"
       FROM registrations r JOIN candidates c ON c.candidate_id = r.candidate_id WHERE r.exam_id = ? AND r.candidate_id = ?`,
    );
    this.findOne = (examId: string, candidateId: string) => find.get(examId, candidateId) as RegistrationRecordLite | undefined;
  }

  find(examId: string, candidateId: string): RegistrationRecordLite | undefined {
    return this.findOne(examId, candidateId);
  }

  credentials(examId: string, candidateIds: string[]): Map<string, { id: string; accessCodeHash: string }> {
    const out = new Map<string, { id: string; accessCodeHash: string }>();
    for (let i = 0; i < candidateIds.length; i += 500) {
      const rows = this.db
        .select({ candidateId: registrations.candidateId, id: registrations.id, accessCodeHash: registrations.accessCodeHash })
        .from(registrations)
        .where(and(eq(registrations.examId, examId), inArray(registrations.candidateId, candidateIds.slice(i, i + 500))))
        .all();
      for (const r of rows) out.set(r.candidateId, { id: r.id, accessCodeHash: r.accessCodeHash });
    }
    return out;
  }

  register(examId: string, rows: { candidateId: string; name: string; accessCodeHash: string }[], now: number): number {
    return atomic(this.db, () => {
      for (const row of rows) {
        this.db
          .insert(candidates)
          .values({ candidateId: row.candidateId, name: row.name, createdAt: now })
          .onConflictDoUpdate({ target: candidates.candidateId, set: { name: row.name } })
          .run();
        this.db
          .insert(registrations)
          .values({ id: randomUUID(), examId, candidateId: row.candidateId, accessCodeHash: row.accessCodeHash, createdAt: now })
          .onConflictDoUpdate({ target: [registrations.examId, registrations.candidateId], set: { accessCodeHash: row.accessCodeHash } })
          .run();
      }
      return rows.length;
    });
  }

  private query() {
    return this.db
      .select({
        candidateId: registrations.candidateId,
        name: candidates.name,
        centerId: registrations.centerId,
        centerName: centers.name,
        roomId: registrations.roomId,
        roomName: rooms.name,
        seat: registrations.seat,
        extraTimeMinutes: registrations.extraTimeMinutes,
        restBreakMinutes: registrations.restBreakMinutes,
        createdAt: registrations.createdAt,
      })
      .from(registrations)
      .innerJoin(candidates, eq(candidates.candidateId, registrations.candidateId))
      .leftJoin(centers, eq(centers.id, registrations.centerId))
      .leftJoin(rooms, eq(rooms.id, registrations.roomId));
  }

  list(examId: string, filter: { centerId?: string; roomId?: string; limit: number; offset: number }): { total: number; registrations: RegistrationRecord[] } {
    const conds = [eq(registrations.examId, examId)];
    if (filter.centerId) conds.push(eq(registrations.centerId, filter.centerId));
    if (filter.roomId) conds.push(eq(registrations.roomId, filter.roomId));
    const where = and(...conds);
    const total = this.db.select({ n: count() }).from(registrations).where(where).get()?.n ?? 0;
    const list = this.query().where(where).orderBy(asc(registrations.candidateId)).limit(filter.limit).offset(filter.offset).all();
    return { total, registrations: list };
  }

  get(examId: string, candidateId: string): RegistrationRecord | undefined {
    return this.query()
      .where(and(eq(registrations.examId, examId), eq(registrations.candidateId, candidateId)))
      .get();
  }

  seatTakenBy(examId: string, candidateId: string, p: Placement): string | undefined {
    if (p.seat === null) return undefined;
    return this.db
      .select({ candidateId: registrations.candidateId })
      .from(registrations)
      .where(
        and(
          eq(registrations.examId, examId),
          ne(registrations.candidateId, candidateId),
          eq(registrations.seat, p.seat),
          p.centerId === null ? isNull(registrations.centerId) : eq(registrations.centerId, p.centerId),
          p.roomId === null ? isNull(registrations.roomId) : eq(registrations.roomId, p.roomId),
        ),
      )
      .get()?.candidateId;
  }

  /**
   * One row moves in one statement, which cannot collide with itself: only another candidate in
   * the seat can refuse it (UniqueViolation('seat') from registrations_one_per_seat).
   */
  place(examId: string, candidateId: string, p: Placement): boolean {
    return mappingUnique(
      () =>
        this.db
          .update(registrations)
          .set({ centerId: p.centerId, roomId: p.roomId, seat: p.seat })
          .where(and(eq(registrations.examId, examId), eq(registrations.candidateId, candidateId)))
          .run().changes > 0,
    );
  }

  /** Sets the given accommodations (a field left out stays as it is). */
  setAccommodations(examId: string, rows: { candidateId: string; extraTimeMinutes?: number; restBreakMinutes?: number }[]): number {
    const st = this.db.$client.prepare(
      'UPDATE registrations SET extra_time_minutes = coalesce(?, extra_time_minutes), rest_break_minutes = coalesce(?, rest_break_minutes) WHERE exam_id = ? AND candidate_id = ?',
    );
    return atomic(this.db, () => rows.reduce((n, r) => n + st.run(r.extraTimeMinutes ?? null, r.restBreakMinutes ?? null, examId, r.candidateId).changes, 0));
  }
}
