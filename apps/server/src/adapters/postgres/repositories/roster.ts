import { randomUUID } from 'node:crypto';
import type { Placement, RosterWrite } from '../../../ports/admin-records.ts';
import type { RosterRepo } from '../../../ports/repositories.ts';
import type { Exec } from '../exec.ts';

/** Rows per statement: a 100,000-row roster is twenty statements of each kind, not 200,000. */
const CHUNK = 5_000;

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** Roster import: set-based upserts (unnest of arrays), the whole import in one transaction. */
export class PgRoster implements RosterRepo {
  constructor(private readonly x: Exec) {}

  async placements(examId: string): Promise<Map<string, Placement>> {
    const rows = await this.x.rows<{ candidateId: string; centerId: string | null; roomId: string | null; seat: string | null }>(
      'SELECT candidate_id AS "candidateId", center_id AS "centerId", room_id AS "roomId", seat FROM registrations WHERE exam_id = $1',
      [examId],
    );
    return new Map(rows.map((r) => [r.candidateId, { centerId: r.centerId, roomId: r.roomId, seat: r.seat }]));
  }

  /**
   * The seats of the rows that move are cleared first, then every row is written: a swap within
   * one import (A 1→2, B 2→1) never has two candidates in one seat, which the unique seat index
   * would refuse row by row. (Seats taken by anyone else were refused by the service already.)
   */
  import(examId: string, rows: RosterWrite[], now: number): Promise<{ created: number; updated: number }> {
    // A candidate listed twice: the last row wins, as a row-by-row upsert would have it.
    const unique = [...new Map(rows.map((r) => [r.candidateId, r])).values()];
    return this.x.atomic(async (t) => {
      for (const part of chunks(unique)) {
        await t.rows(
          `INSERT INTO candidates (candidate_id, name, created_at) SELECT id, name, $3::bigint FROM unnest($1::text[], $2::text[]) AS u(id, name)
           ON CONFLICT (candidate_id) DO UPDATE SET name = excluded.name`,
          [part.map((r) => r.candidateId), part.map((r) => r.name), now],
        );
      }
      const moving = unique.filter((r) => r.placement).map((r) => r.candidateId);
      for (const part of chunks(moving)) {
        await t.rows('UPDATE registrations SET seat = NULL WHERE exam_id = $1 AND candidate_id = ANY ($2::text[]) AND seat IS NOT NULL', [examId, part]);
      }
      let created = 0;
      for (const placed of [true, false]) {
        for (const part of chunks(unique.filter((r) => (r.placement !== undefined) === placed))) {
          const res = await t.rows<{ created: boolean }>(
            `INSERT INTO registrations AS r (id, exam_id, candidate_id, access_code_hash, center_id, room_id, seat, created_at)
             SELECT id, $1::text, candidate_id, hash, center_id, room_id, seat, $8::bigint
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, candidate_id, hash, center_id, room_id, seat)
             ON CONFLICT (exam_id, candidate_id) DO UPDATE SET access_code_hash = excluded.access_code_hash${placed ? ', center_id = excluded.center_id, room_id = excluded.room_id, seat = excluded.seat' : ''}
             RETURNING (xmax = 0) AS created`,
            [
              examId,
              part.map(() => randomUUID()),
              part.map((r) => r.candidateId),
              part.map((r) => r.accessCodeHash),
              part.map((r) => r.placement?.centerId ?? null),
              part.map((r) => r.placement?.roomId ?? null),
              part.map((r) => r.placement?.seat ?? null),
              now,
            ],
          );
          // xmax is 0 on a row this statement inserted, the locking transaction's id on one it updated.
          created += res.filter((r) => r.created).length;
        }
      }
      return { created, updated: rows.length - created };
    });
  }
}
