import type { Question } from '@invigil/contract';
import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { ReviewRepo } from '../../../ports/repositories.ts';
import type { AttemptSnapshot, ReviewListFilter, ReviewListRow, StoredArchive } from '../../../ports/review-records.ts';
import type { Db } from '../open.ts';
import { alerts, answers, archiveSeals, archives, auditEvents, candidates, examSessions, exams, instructions } from '../schema.ts';
import { atomic, type Sync } from '../sync.ts';

const FINAL = ['completed', 'expired', 'terminated'] as const;

const parseJson = (s: string | null): unknown => {
  if (s === null) return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
};

/** Escapes LIKE wildcards so a search for "50%" means the characters, not a pattern. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/** Archives and the staff session browser. */
export class SqliteReview implements Sync<ReviewRepo> {
  constructor(private readonly db: Db) {}

  snapshot(attemptId: string): AttemptSnapshot | undefined {
    const tx = this.db;
    return atomic(this.db, () => {
      const s = tx.select().from(examSessions).where(eq(examSessions.attemptId, attemptId)).get();
      if (!s) return undefined;
      const exam = tx.select().from(exams).where(eq(exams.id, s.examId)).get();
      const cand = tx.select({ name: candidates.name }).from(candidates).where(eq(candidates.candidateId, s.candidateId)).get();
      return {
        session: {
          sessionId: s.id,
          attemptId: s.attemptId,
          candidateId: s.candidateId,
          examId: s.examId,
          state: {
            status: s.status,
            isLocked: s.isLocked,
            lockReason: s.lockReason,
            allowedMs: s.allowedMs,
            usedMs: s.usedMs,
            runningSince: s.runningSince,
            pausedAt: s.pausedAt,
            pauseKind: s.pauseKind,
            recoveryAttempts: s.recoveryAttempts,
            endedAt: s.endedAt,
            endReason: s.endReason,
            incidentMs: s.incidentMs,
          },
          startedAt: s.startedAt,
          devicePublicKey: s.devicePublicKey,
          deviceFingerprint: s.deviceFingerprint,
          browserInfo: s.browserInfo,
          ipAddress: s.ipAddress,
          centerId: s.centerId,
          roomId: s.roomId,
          seat: s.seat,
          deviceGeneration: s.deviceGeneration,
        },
        exam: exam ? { id: exam.id, title: exam.title, durationMinutes: exam.durationMinutes, questions: parseJson(exam.questions) as Question[] } : null,
        candidateName: cand?.name ?? '',
        answers: tx
          .select()
          .from(answers)
          .where(eq(answers.attemptId, attemptId))
          .orderBy(asc(answers.questionId))
          .all()
          .map((a) => ({ questionId: a.questionId, value: parseJson(a.value), clientSeq: a.clientSeq, savedAt: a.savedAt })),
        audit: tx
          .select()
          .from(auditEvents)
          .where(eq(auditEvents.attemptId, attemptId))
          .orderBy(asc(auditEvents.id))
          .all()
          .map((e) => ({ id: e.id, at: e.at, actorType: e.actorType, actorId: e.actorId, action: e.action, reason: e.reason, detail: parseJson(e.detail), ip: e.ip })),
        alerts: tx
          .select()
          .from(alerts)
          .where(eq(alerts.attemptId, attemptId))
          .orderBy(asc(alerts.at), asc(alerts.id))
          .all()
          .map((a) => ({ id: a.id, at: a.at, kind: a.kind, severity: a.severity, message: a.message, detail: parseJson(a.detail), acknowledgedAt: a.acknowledgedAt, acknowledgedBy: a.acknowledgedBy })),
        instructions: tx
          .select()
          .from(instructions)
          .where(eq(instructions.attemptId, attemptId))
          .orderBy(asc(instructions.issuedAt), asc(instructions.id))
          .all()
          .map((i) => ({ id: i.id, type: i.type, message: i.message, reason: i.reason, issuedAt: i.issuedAt, issuedBy: i.issuedBy, deliveredAt: i.deliveredAt, ackedAt: i.ackedAt })),
      };
    });
  }

  placement(attemptId: string) {
    return this.db.select({ centerId: examSessions.centerId, roomId: examSessions.roomId, status: examSessions.status }).from(examSessions).where(eq(examSessions.attemptId, attemptId)).get();
  }

  getArchive(attemptId: string): StoredArchive | undefined {
    const r = this.db
      .select({ a: archives, statement: archiveSeals.statement, mac: archiveSeals.mac })
      .from(archives)
      .leftJoin(archiveSeals, eq(archiveSeals.attemptId, archives.attemptId))
      .where(eq(archives.attemptId, attemptId))
      .get();
    return r && { ...r.a, seal: r.statement !== null && r.mac !== null ? { statement: r.statement, mac: r.mac } : null };
  }

  insertArchive(a: StoredArchive & { seal: NonNullable<StoredArchive['seal']> }): boolean {
    const { seal, ...archive } = a;
    return atomic(this.db, () => {
      if (this.db.insert(archives).values(archive).onConflictDoNothing({ target: archives.attemptId }).run().changes === 0) return false;
      // A seal left without its archive (someone deleted it) stays: verification then says so.
      this.db.insert(archiveSeals).values({ attemptId: a.attemptId, sealedAt: a.sealedAt, statement: seal.statement, mac: seal.mac }).onConflictDoNothing({ target: archiveSeals.attemptId }).run();
      return true;
    });
  }

  unsealedFinalAttempts(limit: number, afterAttemptId?: string): string[] {
    const conds = [inArray(examSessions.status, [...FINAL]), isNull(archives.attemptId)];
    if (afterAttemptId !== undefined) conds.push(gt(examSessions.attemptId, afterAttemptId));
    return this.db
      .select({ attemptId: examSessions.attemptId })
      .from(examSessions)
      .leftJoin(archives, eq(archives.attemptId, examSessions.attemptId))
      .where(and(...conds))
      .orderBy(asc(examSessions.attemptId))
      .limit(limit)
      .all()
      .map((r) => r.attemptId);
  }

  private listWhere(f: ReviewListFilter): SQL | undefined {
    const conds: (SQL | undefined)[] = [];
    if (!f.places.all) {
      // A proctor sees sessions placed in one of their assignments (a whole center, or one room).
      const places = f.places.assignments.map((a) => (a.roomId === null ? eq(examSessions.centerId, a.centerId) : and(eq(examSessions.centerId, a.centerId), eq(examSessions.roomId, a.roomId))));
      conds.push(places.length ? or(...places) : sql`0`);
    }
    if (f.status) conds.push(eq(examSessions.status, f.status as (typeof examSessions.$inferSelect)['status']));
    if (f.examId) conds.push(eq(examSessions.examId, f.examId));
    if (f.centerId) conds.push(eq(examSessions.centerId, f.centerId));
    if (f.roomId) conds.push(eq(examSessions.roomId, f.roomId));
    if (f.sealed !== undefined) conds.push(f.sealed ? isNotNull(archives.attemptId) : isNull(archives.attemptId));
    if (f.q) {
      const p = likePattern(f.q);
      conds.push(
        or(
          sql`${examSessions.candidateId} like ${p} escape '\\'`,
          sql`${candidates.name} like ${p} escape '\\'`,
          sql`${examSessions.id} like ${p} escape '\\'`,
          sql`${examSessions.attemptId} like ${p} escape '\\'`,
        ),
      );
    }
    return conds.length ? and(...conds) : undefined;
  }

  listSessions(f: ReviewListFilter): { rows: ReviewListRow[]; total: number } {
    const tx = this.db;
    return atomic(this.db, () => {
      const where = this.listWhere(f);
      const total =
        tx
          .select({ n: count() })
          .from(examSessions)
          .leftJoin(candidates, eq(candidates.candidateId, examSessions.candidateId))
          .leftJoin(archives, eq(archives.attemptId, examSessions.attemptId))
          .where(where)
          .get()?.n ?? 0;
      const page = f.after
        ? and(where, or(lt(examSessions.startedAt, f.after.startedAt), and(eq(examSessions.startedAt, f.after.startedAt), lt(examSessions.attemptId, f.after.attemptId))))
        : where;
      const rows = tx
        .select({
          s: examSessions,
          candidateName: candidates.name,
          examTitle: exams.title,
          score: archives.score,
          maxScore: archives.maxScore,
          sealedAt: archives.sealedAt,
          alertCount: sql<number>`(select count(*) from alerts a where a.attempt_id = ${examSessions.attemptId})`,
          openAlertCount: sql<number>`(select count(*) from alerts a where a.attempt_id = ${examSessions.attemptId} and a.acknowledged_at is null)`,
        })
        .from(examSessions)
        .leftJoin(candidates, eq(candidates.candidateId, examSessions.candidateId))
        .leftJoin(exams, eq(exams.id, examSessions.examId))
        .leftJoin(archives, eq(archives.attemptId, examSessions.attemptId))
        .where(page)
        .orderBy(desc(examSessions.startedAt), desc(examSessions.attemptId))
        .limit(f.limit)
        .all();
      return {
        total,
        rows: rows.map((r) => ({
          attemptId: r.s.attemptId,
          sessionId: r.s.id,
          candidateId: r.s.candidateId,
          candidateName: r.candidateName ?? '',
          examId: r.s.examId,
          examTitle: r.examTitle ?? '',
          status: r.s.status,
          isLocked: r.s.isLocked,
          endReason: r.s.endReason,
          centerId: r.s.centerId,
          roomId: r.s.roomId,
          seat: r.s.seat,
          startedAt: r.s.startedAt,
          endedAt: r.s.endedAt,
          score: r.score,
          maxScore: r.maxScore,
          sealedAt: r.sealedAt,
          alertCount: Number(r.alertCount),
          openAlertCount: Number(r.openAlertCount),
        })),
      };
    });
  }
}
