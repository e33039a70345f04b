import { and, asc, count, eq, gt, inArray } from 'drizzle-orm';
import type { ExamSessionRepo } from '../../../ports/repositories.ts';
import type { PlaceFilter } from '../../../ports/review-records.ts';
import type { PresenceFlush, SessionRecord, StaffSessionFilter, StaffSessionRecord } from '../../../ports/types.ts';
import { placeCondition } from './alerts.ts';
import { ascLikeSqlite, binary, type Exec } from '../exec.ts';
import { candidates, examSessions, registrations } from '../schema.ts';
import { selectList } from '../select-list.ts';
import { toRecord, toRow, type SessionRow } from '../session-rows.ts';

const COLS = selectList(examSessions);
const BY_ATTEMPT = `SELECT ${COLS} FROM exam_sessions WHERE attempt_id = $1`;
const BY_ATTEMPT_FOR_CANDIDATE = `${BY_ATTEMPT} AND candidate_id = $2`;
/** Oldest first; ties by attempt id byte by byte (as SQLite orders them). */
const FOR_CANDIDATE = `SELECT ${COLS} FROM exam_sessions WHERE candidate_id = $1 ORDER BY started_at ASC, attempt_id COLLATE "C"`;

/**
 * Exam sessions. The hot reads (every candidate request reads its session) are named prepared
 * statements; `getForUpdate` is SELECT … FOR UPDATE, the row lock a unit of work's guard rests on.
 */
export class PgExamSessions implements ExamSessionRepo {
  constructor(private readonly x: Exec) {}

  async insert(rec: SessionRecord, now: number): Promise<void> {
    await this.x.db.insert(examSessions).values(toRow(rec, now));
  }

  private async one(lock: boolean, attemptId: string, candidateId?: string): Promise<SessionRecord | undefined> {
    const suffix = lock ? ' FOR UPDATE' : '';
    const [r] =
      candidateId === undefined
        ? await this.x.rows<SessionRow>(BY_ATTEMPT + suffix, [attemptId], `invigil.session${lock ? '.lock' : ''}`)
        : await this.x.rows<SessionRow>(BY_ATTEMPT_FOR_CANDIDATE + suffix, [attemptId, candidateId], `invigil.session.candidate${lock ? '.lock' : ''}`);
    return r && toRecord(r);
  }

  get(attemptId: string, candidateId?: string): Promise<SessionRecord | undefined> {
    return this.one(false, attemptId, candidateId);
  }

  /** The row stays locked until the unit of work ends (alone it would be released at once). */
  getForUpdate(attemptId: string, candidateId?: string): Promise<SessionRecord | undefined> {
    return this.one(true, attemptId, candidateId);
  }

  async update(rec: SessionRecord, now: number): Promise<void> {
    await this.x.db.update(examSessions).set(toRow(rec, now)).where(eq(examSessions.attemptId, rec.attemptId));
  }

  async listForCandidate(candidateId: string): Promise<SessionRecord[]> {
    // Read at every sign-in and start: a named prepared statement, as the other hot reads.
    return (await this.x.rows<SessionRow>(FOR_CANDIDATE, [candidateId], 'invigil.sessions.candidate')).map(toRecord);
  }

  async listByStatus(status: 'active' | 'paused'): Promise<SessionRecord[]> {
    return (await this.x.db.select().from(examSessions).where(eq(examSessions.status, status))).map(toRecord);
  }

  async listByStatusPage(status: 'active' | 'paused', after: string | null, limit: number): Promise<SessionRecord[]> {
    // The index's own order (the column's collation): the page boundary and the order agree.
    const live = eq(examSessions.status, status);
    const rows = await this.x.db
      .select()
      .from(examSessions)
      .where(after === null ? live : and(live, gt(examSessions.attemptId, after)))
      .orderBy(asc(examSessions.attemptId))
      .limit(limit);
    return rows.map(toRecord);
  }

  async listForStaff(filter: StaffSessionFilter & { places: PlaceFilter; limit: number }): Promise<StaffSessionRecord[]> {
    const conds = [placeCondition(filter.places, examSessions.centerId, examSessions.roomId)];
    if (filter.examId) conds.push(eq(examSessions.examId, filter.examId));
    if (filter.centerId) conds.push(eq(examSessions.centerId, filter.centerId));
    if (filter.roomId) conds.push(eq(examSessions.roomId, filter.roomId));
    if (filter.status) conds.push(eq(examSessions.status, filter.status as SessionRow['status']));
    else if (!filter.includeFinished) conds.push(inArray(examSessions.status, ['active', 'paused']));
    const rows = await this.x.db
      .select({ s: examSessions, name: candidates.name, extra: registrations.extraTimeMinutes, rest: registrations.restBreakMinutes })
      .from(examSessions)
      .leftJoin(candidates, eq(candidates.candidateId, examSessions.candidateId))
      .leftJoin(registrations, and(eq(registrations.examId, examSessions.examId), eq(registrations.candidateId, examSessions.candidateId)))
      .where(and(...conds))
      .orderBy(ascLikeSqlite(examSessions.roomId), ascLikeSqlite(examSessions.seat), binary(examSessions.candidateId))
      .limit(filter.limit);
    return rows.map((r) => ({ ...toRecord(r.s), candidateName: r.name ?? '', plannedExtraMinutes: r.extra ?? 0, restBreakMinutes: r.rest ?? 0 }));
  }

  async countActive(candidateId: string): Promise<number> {
    const [r] = await this.x.db
      .select({ n: count() })
      .from(examSessions)
      .where(and(eq(examSessions.candidateId, candidateId), eq(examSessions.status, 'active')));
    return r?.n ?? 0;
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.x.db.select({ status: examSessions.status, n: count() }).from(examSessions).groupBy(examSessions.status);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /**
   * One flush of presence: the rows are locked first in attempt id order (the order answer
   * batches lock them in, so neither can deadlock the other), then raised in one statement.
   */
  async recordPresence(batch: PresenceFlush[]): Promise<void> {
    if (batch.length === 0) return;
    const ids = batch.map((p) => p.attemptId);
    const values = [ids, batch.map((p) => p.lastSeenAt), batch.map((p) => p.seq), batch.map((p) => p.beats)];
    await this.x.atomic(async (t) => {
      await t.rows('SELECT 1 FROM exam_sessions WHERE attempt_id = ANY ($1::text[]) ORDER BY attempt_id FOR NO KEY UPDATE', [ids], 'invigil.presence.lock');
      await t.rows(
        `UPDATE exam_sessions s SET last_activity_at = greatest(s.last_activity_at, p.seen), last_seq = greatest(s.last_seq, p.seq), heartbeat_count = s.heartbeat_count + p.beats
         FROM (SELECT attempt_id, max(seen) AS seen, max(seq) AS seq, sum(beats)::bigint AS beats
               FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS u(attempt_id, seen, seq, beats) GROUP BY attempt_id) p
         WHERE s.attempt_id = p.attempt_id`,
        values,
        'invigil.presence.update',
      );
    });
  }
}
