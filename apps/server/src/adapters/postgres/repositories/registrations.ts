import { and, count, eq, inArray, isNull, ne } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Placement, RegistrationRecord } from '../../../ports/admin-records.ts';
import type { RegistrationRepo } from '../../../ports/repositories.ts';
import type { RegistrationRecordLite } from '../../../ports/types.ts';
import { binary, type Exec } from '../exec.ts';
import { candidates, centers, registrations, rooms } from '../schema.ts';

export class PgRegistrations implements RegistrationRepo {
  constructor(private readonly x: Exec) {}

  async credentials(examId: string, candidateIds: string[]): Promise<Map<string, { id: string; accessCodeHash: string }>> {
    const out = new Map<string, { id: string; accessCodeHash: string }>();
    for (let i = 0; i < candidateIds.length; i += 1_000) {
      const rows = await this.x.db
        .select({ candidateId: registrations.candidateId, id: registrations.id, accessCodeHash: registrations.accessCodeHash })
        .from(registrations)
        .where(and(eq(registrations.examId, examId), inArray(registrations.candidateId, candidateIds.slice(i, i + 1_000))));
      for (const r of rows) out.set(r.candidateId, { id: r.id, accessCodeHash: r.accessCodeHash });
    }
    return out;
  }

  /** Read at every sign-in and start: a named prepared statement (parsed and planned once per connection). */
  async find(examId: string, candidateId: string): Promise<RegistrationRecordLite | undefined> {
    const [r] = await this.x.rows<RegistrationRecordLite>(
      `SELECT r.id AS "id", r.access_code_hash AS "accessCodeHash", c.name AS "name", r.center_id AS "centerId", r.room_id AS "roomId", r.seat AS "seat", r.extra_time_minutes AS "extraTimeMinutes"
       FROM registrations r JOIN candidates c ON c.candidate_id = r.candidate_id WHERE r.exam_id = $1 AND r.candidate_id = $2 LIMIT 1`,
      [examId, candidateId],
      'invigil.registration.find',
    );
    return r;
  }

  /** Candidates first, then their registrations (the foreign key's order), one statement each. */
  register(examId: string, rows: { candidateId: string; name: string; accessCodeHash: string }[], now: number): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.x.atomic(async (t) => {
      // A candidate listed twice: the last row wins, as the row-by-row upsert of SQLite does.
      const last = [...new Map(rows.map((r) => [r.candidateId, r])).values()];
      await t.rows(
        `INSERT INTO candidates (candidate_id, name, created_at) SELECT id, name, $3::bigint FROM unnest($1::text[], $2::text[]) AS u(id, name)
         ON CONFLICT (candidate_id) DO UPDATE SET name = excluded.name`,
        [last.map((r) => r.candidateId), last.map((r) => r.name), now],
      );
      await t.rows(
        `INSERT INTO registrations (id, exam_id, candidate_id, access_code_hash, created_at)
         SELECT id, $1::text, candidate_id, hash, $5::bigint FROM unnest($2::text[], $3::text[], $4::text[]) AS u(id, candidate_id, hash)
         ON CONFLICT (exam_id, candidate_id) DO UPDATE SET access_code_hash = excluded.access_code_hash`,
        [examId, last.map(() => randomUUID()), last.map((r) => r.candidateId), last.map((r) => r.accessCodeHash), now],
      );
      return rows.length;
    });
  }

  private query() {
    return this.x.db
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

  async list(examId: string, filter: { centerId?: string; roomId?: string; limit: number; offset: number }): Promise<{ total: number; registrations: RegistrationRecord[] }> {
    const conds = [eq(registrations.examId, examId)];
    if (filter.centerId) conds.push(eq(registrations.centerId, filter.centerId));
    if (filter.roomId) conds.push(eq(registrations.roomId, filter.roomId));
    const where = and(...conds);
    const [t] = await this.x.db.select({ n: count() }).from(registrations).where(where);
    const list = await this.query().where(where).orderBy(binary(registrations.candidateId)).limit(filter.limit).offset(filter.offset);
    return { total: t?.n ?? 0, registrations: list };
  }

  async get(examId: string, candidateId: string): Promise<RegistrationRecord | undefined> {
    const [r] = await this.query()
      .where(and(eq(registrations.examId, examId), eq(registrations.candidateId, candidateId)))
      .limit(1);
    return r;
  }

  async seatTakenBy(examId: string, candidateId: string, p: Placement): Promise<string | undefined> {
    if (p.seat === null) return undefined;
    const [r] = await this.x.db
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
      .limit(1);
    return r?.candidateId;
  }

  /**
   * One row moves in one statement, which cannot collide with itself: only another candidate in
   * the seat can refuse it (UniqueViolation('seat') from registrations_one_per_seat).
   */
  async place(examId: string, candidateId: string, p: Placement): Promise<boolean> {
    const res = await this.x.db
      .update(registrations)
      .set({ centerId: p.centerId, roomId: p.roomId, seat: p.seat })
      .where(and(eq(registrations.examId, examId), eq(registrations.candidateId, candidateId)));
    return (res.rowCount ?? 0) > 0;
  }

  /** Sets the given accommodations (a field left out stays as it is), one statement per 1,000 rows. */
  async setAccommodations(examId: string, rows: { candidateId: string; extraTimeMinutes?: number; restBreakMinutes?: number }[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < rows.length; i += 1_000) {
      const part = rows.slice(i, i + 1_000);
      const res = await this.x.rows<{ id: string }>(
        `UPDATE registrations AS r SET extra_time_minutes = coalesce(u.extra, r.extra_time_minutes), rest_break_minutes = coalesce(u.rest, r.rest_break_minutes)
         FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u(candidate_id, extra, rest)
         WHERE r.exam_id = $1 AND r.candidate_id = u.candidate_id RETURNING r.id`,
        [examId, part.map((r) => r.candidateId), part.map((r) => r.extraTimeMinutes ?? null), part.map((r) => r.restBreakMinutes ?? null)],
      );
      n += res.length;
    }
    return n;
  }
}
