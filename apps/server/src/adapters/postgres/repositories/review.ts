import type { Question } from '@invigil/contract';
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lt, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { ReviewRepo } from '../../../ports/repositories.ts';
import type { AttemptSnapshot, ReviewListFilter, ReviewListRow, StoredArchive } from '../../../ports/review-records.ts';
import { binary, type Exec } from '../exec.ts';
import { alerts, answers, archiveSeals, archives, auditEvents, candidates, examSessions, exams, instructions } from '../schema.ts';

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
/** SQLite's LIKE ignores the case of ASCII letters; ILIKE is PostgreSQL's spelling of that. */
const contains = (column: AnyColumn, p: string) => sql`${column} ilike ${p} escape '\\'`;

/** Archives and the staff session browser. */
export class PgReview implements ReviewRepo {
  constructor(private readonly x: Exec) {}

  /** Alone: one REPEATABLE READ snapshot. Inside a unit of work: its transaction. */
  snapshot(attemptId: string): Promise<AttemptSnapshot | undefined> {
    return this.x.atomic(
      async ({ db: tx }) => {
        const [s] = await tx.select().from(examSessions).where(eq(examSessions.attemptId, attemptId)).limit(1);
        if (!s) return undefined;
        const [exam] = await tx.select().from(exams).where(eq(exams.id, s.examId)).limit(1);
        const [cand] = await tx.select({ name: candidates.name }).from(candidates).where(eq(candidates.candidateId, s.candidateId)).limit(1);
        const answerRows = await tx.select().from(answers).where(eq(answers.attemptId, attemptId)).orderBy(binary(answers.questionId));
        const auditRows = await tx.select().from(auditEvents).where(eq(auditEvents.attemptId, attemptId)).orderBy(asc(auditEvents.id));
        const alertRows = await tx.select().from(alerts).where(eq(alerts.attemptId, attemptId)).orderBy(asc(alerts.at), binary(alerts.id));
        const instructionRows = await tx.select().from(instructions).where(eq(instructions.attemptId, attemptId)).orderBy(asc(instructions.issuedAt), binary(instructions.id));
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
          answers: answerRows.map((a) => ({ questionId: a.questionId, value: parseJson(a.value), clientSeq: a.clientSeq, savedAt: a.savedAt })),
          audit: auditRows.map((e) => ({ id: e.id, at: e.at, actorType: e.actorType, actorId: e.actorId, action: e.action, reason: e.reason, detail: parseJson(e.detail), ip: e.ip })),
          alerts: alertRows.map((a) => ({ id: a.id, at: a.at, kind: a.kind, severity: a.severity, message: a.message, detail: parseJson(a.detail), acknowledgedAt: a.acknowledgedAt, acknowledgedBy: a.acknowledgedBy })),
          instructions: instructionRows.map((i) => ({ id: i.id, type: i.type, message: i.message, reason: i.reason, issuedAt: i.issuedAt, issuedBy: i.issuedBy, deliveredAt: i.deliveredAt, ackedAt: i.ackedAt })),
        };
      },
      { snapshot: true },
    );
  }

  async placement(attemptId: string) {
    const [r] = await this.x.db
      .select({ centerId: examSessions.centerId, roomId: examSessions.roomId, status: examSessions.status })
      .from(examSessions)
      .where(eq(examSessions.attemptId, attemptId))
      .limit(1);
    return r;
  }

  async getArchive(attemptId: string): Promise<StoredArchive | undefined> {
    const [r] = await this.x.db
      .select({ a: archives, statement: archiveSeals.statement, mac: archiveSeals.mac })
      .from(archives)
      .leftJoin(archiveSeals, eq(archiveSeals.attemptId, archives.attemptId))
      .where(eq(archives.attemptId, attemptId))
      .limit(1);
    return r && { ...r.a, seal: r.statement !== null && r.mac !== null ? { statement: r.statement, mac: r.mac } : null };
  }

  /** The archive and its seal in one statement (both or neither), unless an archive exists. */
  async insertArchive(a: StoredArchive & { seal: NonNullable<StoredArchive['seal']> }): Promise<boolean> {
    const { seal, ...archive } = a;
    const r = await this.x.rows<{ inserted: boolean }>(
      `WITH a AS (
         INSERT INTO archives (attempt_id, sealed_at, content, chain_head, score, max_score) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (attempt_id) DO NOTHING RETURNING attempt_id
       ), s AS (
         INSERT INTO archive_seals (attempt_id, sealed_at, statement, mac) SELECT attempt_id, $2, $7, $8 FROM a
         ON CONFLICT (attempt_id) DO NOTHING
       )
       SELECT EXISTS (SELECT 1 FROM a) AS inserted`,
      [archive.attemptId, archive.sealedAt, archive.content, archive.chainHead, archive.score, archive.maxScore, seal.statement, seal.mac],
      'invigil.archive.insert',
    );
    return r[0]?.inserted === true;
  }

  async unsealedFinalAttempts(limit: number, afterAttemptId?: string): Promise<string[]> {
    const conds = [inArray(examSessions.status, [...FINAL]), isNull(archives.attemptId)];
    if (afterAttemptId !== undefined) conds.push(sql`${binary(examSessions.attemptId)} > ${afterAttemptId}`);
    const rows = await this.x.db
      .select({ attemptId: examSessions.attemptId })
      .from(examSessions)
      .leftJoin(archives, eq(archives.attemptId, examSessions.attemptId))
      .where(and(...conds))
      .orderBy(binary(examSessions.attemptId))
      .limit(limit);
    return rows.map((r) => r.attemptId);
  }

  private listWhere(f: ReviewListFilter): SQL | undefined {
    const conds: (SQL | undefined)[] = [];
    if (!f.places.all) {
      // A proctor sees sessions placed in one of their assignments (a whole center, or one room).
      const places = f.places.assignments.map((a) => (a.roomId === null ? eq(examSessions.centerId, a.centerId) : and(eq(examSessions.centerId, a.centerId), eq(examSessions.roomId, a.roomId))));
      conds.push(places.length ? or(...places) : sql`false`);
    }
    if (f.status) conds.push(eq(examSessions.status, f.status as (typeof examSessions.$inferSelect)['status']));
    if (f.examId) conds.push(eq(examSessions.examId, f.examId));
    if (f.centerId) conds.push(eq(examSessions.centerId, f.centerId));
    if (f.roomId) conds.push(eq(examSessions.roomId, f.roomId));
    if (f.sealed !== undefined) conds.push(f.sealed ? isNotNull(archives.attemptId) : isNull(archives.attemptId));
    if (f.q) {
      const p = likePattern(f.q);
      conds.push(or(contains(examSessions.candidateId, p), contains(candidates.name, p), contains(examSessions.id, p), contains(examSessions.attemptId, p)));
    }
    return conds.length ? and(...conds) : undefined;
  }

  /** Alone: the count and the page from one REPEATABLE READ snapshot. */
  listSessions(f: ReviewListFilter): Promise<{ rows: ReviewListRow[]; total: number }> {
    return this.x.atomic(
      async ({ db: tx }) => {
        const where = this.listWhere(f);
        const [t] = await tx
          .select({ n: count() })
          .from(examSessions)
          .leftJoin(candidates, eq(candidates.candidateId, examSessions.candidateId))
          .leftJoin(archives, eq(archives.attemptId, examSessions.attemptId))
          .where(where);
        const page = f.after
          ? and(
              where,
              or(lt(examSessions.startedAt, f.after.startedAt), and(eq(examSessions.startedAt, f.after.startedAt), sql`${binary(examSessions.attemptId)} < ${f.after.attemptId}`)),
            )
          : where;
        const rows = await tx
          .select({
            s: examSessions,
            candidateName: candidates.name,
            examTitle: exams.title,
            score: archives.score,
            maxScore: archives.maxScore,
            sealedAt: archives.sealedAt,
            alertCount: sql<number>`(select count(*) from alerts a where a.attempt_id = ${examSessions.attemptId})`.mapWith(Number),
            openAlertCount: sql<number>`(select count(*) from alerts a where a.attempt_id = ${examSessions.attemptId} and a.acknowledged_at is null)`.mapWith(Number),
          })
          .from(examSessions)
          .leftJoin(candidates, eq(candidates.candidateId, examSessions.candidateId))
          .leftJoin(exams, eq(exams.id, examSessions.examId))
          .leftJoin(archives, eq(archives.attemptId, examSessions.attemptId))
          .where(page)
          .orderBy(desc(examSessions.startedAt), sql`${binary(examSessions.attemptId)} desc`)
          .limit(f.limit);
        return {
          total: t?.n ?? 0,
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
            alertCount: r.alertCount,
            openAlertCount: r.openAlertCount,
          })),
        };
      },
      { snapshot: true },
    );
  }
}
