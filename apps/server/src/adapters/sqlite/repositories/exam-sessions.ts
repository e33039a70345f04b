import { and, asc, count, eq, gt, inArray } from 'drizzle-orm';
import type { ExamSessionRepo } from '../../../ports/repositories.ts';
import type { PresenceFlush, SessionRecord, StaffSessionFilter, StaffSessionRecord } from '../../../ports/types.ts';
import type { PlaceFilter } from '../../../ports/review-records.ts';
import type { Db } from '../open.ts';
import { placeCondition } from './alerts.ts';
import { candidates, examSessions, registrations } from '../schema.ts';
import { preparedInsert } from '../prepared-insert.ts';
import { selectList } from '../select-list.ts';
import { fixSessionRow, toRecord, toRow, type SessionRow } from '../session-rows.ts';
import type { Sync } from '../sync.ts';
import { mappingUnique } from '../unique.ts';

/**
 * Exam sessions. The hot reads (every candidate request reads its session), the start (the
 * candidate's sessions, the insert) and the presence flush use raw statements prepared once:
 * drizzle's builder and row mapping cost more than the SQL.
 */
export class SqliteExamSessions implements Sync<ExamSessionRepo> {
  private readonly byAttempt;
  private readonly byAttemptForCandidate;
  private readonly presenceTx;
  private readonly insertRow;
  private readonly ofCandidate;
  private readonly activeOf;

  constructor(private readonly db: Db) {
    const c = db.$client;
    const cols = selectList(examSessions);
    const one = (where: string) => {
      const st = c.prepare(`SELECT ${cols} FROM exam_sessions WHERE ${where}`);
      return (...args: unknown[]) => fixSessionRow(st.get(...args) as SessionRow | undefined);
    };
    this.byAttempt = one('attempt_id = ?');
    this.byAttemptForCandidate = one('attempt_id = ? AND candidate_id = ?');
    // Sign-in and start read every session of the candidate, and start inserts one.
    const ofCandidate = c.prepare(`SELECT ${cols} FROM exam_sessions WHERE candidate_id = ? ORDER BY started_at ASC, attempt_id`);
    this.ofCandidate = (candidateId: string) => (ofCandidate.all(candidateId) as SessionRow[]).map((r) => toRecord(fixSessionRow(r)!));
    const activeOf = c.prepare(`SELECT count(*) FROM exam_sessions WHERE candidate_id = ? AND status = 'active'`).pluck();
    this.activeOf = (candidateId: string) => activeOf.get(candidateId) as number;
    this.insertRow = preparedInsert(c, examSessions);
    const presenceOne = c.prepare(
      'UPDATE exam_sessions SET last_activity_at = max(last_activity_at, ?), last_seq = max(last_seq, ?), heartbeat_count = heartbeat_count + ? WHERE attempt_id = ?',
    );
    this.presenceTx = c.transaction((batch: PresenceFlush[]) => {
      for (const p of batch) presenceOne.run(p.lastSeenAt, p.seq, p.beats, p.attemptId);
    });
  }

  insert(rec: SessionRecord, now: number): void {
    mappingUnique(() => this.insertRow(toRow(rec, now)));
  }

  get(attemptId: string, candidateId?: string): SessionRecord | undefined {
    const r = candidateId === undefined ? this.byAttempt(attemptId) : this.byAttemptForCandidate(attemptId, candidateId);
    return r && toRecord(r);
  }

  /** BEGIN IMMEDIATE already holds the database's write lock: a plain read is a locked read. */
  getForUpdate(attemptId: string, candidateId?: string): SessionRecord | undefined {
    return this.get(attemptId, candidateId);
  }

  update(rec: SessionRecord, now: number): void {
    mappingUnique(() => this.db.update(examSessions).set(toRow(rec, now)).where(eq(examSessions.attemptId, rec.attemptId)).run());
  }

  listForCandidate(candidateId: string): SessionRecord[] {
    return this.ofCandidate(candidateId);
  }

  listByStatus(status: 'active' | 'paused'): SessionRecord[] {
    return this.db.select().from(examSessions).where(eq(examSessions.status, status)).all().map(toRecord);
  }

  listByStatusPage(status: 'active' | 'paused', after: string | null, limit: number): SessionRecord[] {
    const live = eq(examSessions.status, status);
    return this.db
      .select()
      .from(examSessions)
      .where(after === null ? live : and(live, gt(examSessions.attemptId, after)))
      .orderBy(asc(examSessions.attemptId))
      .limit(limit)
      .all()
      .map(toRecord);
  }

  listForStaff(filter: StaffSessionFilter & { places: PlaceFilter; limit: number }): StaffSessionRecord[] {
    const conds = [placeCondition(filter.places, examSessions.centerId, examSessions.roomId)];
    if (filter.examId) conds.push(eq(examSessions.examId, filter.examId));
    if (filter.centerId) conds.push(eq(examSessions.centerId, filter.centerId));
    if (filter.roomId) conds.push(eq(examSessions.roomId, filter.roomId));
    if (filter.status) conds.push(eq(examSessions.status, filter.status as SessionRow['status']));
    else if (!filter.includeFinished) conds.push(inArray(examSessions.status, ['active', 'paused']));
    return this.db
      .select({ s: examSessions, name: candidates.name, extra: registrations.extraTimeMinutes, rest: registrations.restBreakMinutes })
      .from(examSessions)
      .leftJoin(candidates, eq(candidates.candidateId, examSessions.candidateId))
      .leftJoin(registrations, and(eq(registrations.examId, examSessions.examId), eq(registrations.candidateId, examSessions.candidateId)))
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(asc(examSessions.roomId), asc(examSessions.seat), asc(examSessions.candidateId))
      .limit(filter.limit)
      .all()
      .map((r) => ({ ...toRecord(r.s), candidateName: r.name ?? '', plannedExtraMinutes: r.extra ?? 0, restBreakMinutes: r.rest ?? 0 }));
  }

  countActive(candidateId: string): number {
    return this.activeOf(candidateId);
  }

  countByStatus(): Record<string, number> {
    const rows = this.db.select({ status: examSessions.status, n: count() }).from(examSessions).groupBy(examSessions.status).all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  recordPresence(batch: PresenceFlush[]): void {
    if (batch.length > 0) this.presenceTx.immediate(batch);
  }
}
