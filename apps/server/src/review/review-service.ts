import type { Archive, ArchiveQuestion, ExamResults, MarkRequest, ReviewDetail, ReviewMarking, ReviewSessionRow, ReviewSessionsQuery, VerifyResponse } from '@invigil/contract';
import { isFinal } from '@invigil/core';
import type { Logger } from 'pino';
import type { Database } from '../ports/database.ts';
import { conflict, invalid, notFound } from '../ports/errors.ts';
import type { StoredArchive } from '../ports/review-records.ts';
import type { Principal } from '../ports/types.ts';
import { inScope, scopeOf } from '../proctoring/scope.ts';
import { buildArchive } from './archive-builder.ts';
import { makeSeal, sealKey, verifySealed } from './seal.ts';
import { markKey, needsMark, sealMark, summarize, verifyMarks } from './marks.ts';
import { examResults } from './results.ts';

export interface ReviewDeps {
  db: Database;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  now: () => number;
  /** The server secret: archives are sealed with a key derived from it. */
  secretKey: Buffer;
}

export type SealOutcome = 'sealed' | 'already_sealed' | 'not_final' | 'no_such_attempt';

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | null) => (t === null ? null : iso(t));
const DEFAULT_PAGE = 50;

/** Sealed per-attempt archives (hash-chained timeline, answers, score) and the staff session browser. */
export class ReviewService {
  private readonly sealKey: Buffer;
  readonly markKey: Buffer;

  constructor(private readonly d: ReviewDeps) {
    this.sealKey = sealKey(d.secretKey);
    this.markKey = markKey(d.secretKey);
  }

  /**
   * Seals a finished attempt into its archive, once: a second call (or a call for a session that
   * is not final yet) changes nothing.
   */
  async seal(attemptId: string): Promise<SealOutcome> {
    const { review } = this.d.db.repos;
    if (await review.getArchive(attemptId)) return 'already_sealed';
    const snap = await review.snapshot(attemptId);
    if (!snap) return 'no_such_attempt';
    if (!isFinal(snap.session.state)) return 'not_final';
    const now = this.d.now();
    const built = buildArchive(snap, now, now, await this.plannedExtra(snap.session.examId, snap.session.candidateId));
    const stored = { attemptId, sealedAt: now, content: built.content, chainHead: built.chainHead, score: built.score, maxScore: built.maxScore };
    const inserted = await review.insertArchive({ ...stored, seal: makeSeal(this.sealKey, stored) });
    if (!inserted) return 'already_sealed';
    this.d.log.info({ attemptId, events: built.archive.events.length, score: built.score, maxScore: built.maxScore }, 'attempt sealed');
    return 'sealed';
  }

  /** seal() for hooks and jobs: logs a failure instead of throwing it at the caller. */
  async sealSafely(attemptId: string): Promise<SealOutcome | 'failed'> {
    try {
      return await this.seal(attemptId);
    } catch (err) {
      this.d.log.error({ err, attemptId }, 'sealing the attempt failed; the sweep will retry');
      return 'failed';
    }
  }

  /**
   * One step of the repair sweep: seals up to `limit` final attempts without an archive whose ids
   * come after `after`. `next` is where to continue, undefined when nothing was left.
   */
  async sweepStep(after: string | undefined, limit: number): Promise<{ next: string | undefined; sealed: number; failed: number }> {
    const ids = await this.d.db.repos.review.unsealedFinalAttempts(limit, after);
    let sealed = 0;
    let failed = 0;
    for (const id of ids) {
      const r = await this.sealSafely(id);
      if (r === 'sealed') sealed += 1;
      if (r === 'failed') failed += 1;
    }
    return { next: ids[ids.length - 1], sealed, failed };
  }

  /** Seals every final attempt that has no archive (repairs a crash between the end and the seal). */
  async sweep(batch = 100): Promise<{ sealed: number; failed: number }> {
    let sealed = 0;
    let failed = 0;
    let after: string | undefined;
    do {
      const step = await this.sweepStep(after, batch);
      sealed += step.sealed;
      failed += step.failed;
      after = step.next;
    } while (after !== undefined);
    return { sealed, failed };
  }

  /** The session if this staff member may see it; 404 otherwise, exactly like an unknown id. */
  private async visible(p: Principal, attemptId: string): Promise<{ status: string }> {
    const place = await this.d.db.repos.review.placement(attemptId);
    if (!place || !inScope(scopeOf(p), place)) throw notFound('no such exam session');
    return place;
  }

  /** The archive of a final attempt, sealing it now if the hook has not yet (or failed to). */
  private async sealedArchive(attemptId: string): Promise<StoredArchive | undefined> {
    const have = await this.d.db.repos.review.getArchive(attemptId);
    if (have) return have;
    // Sealed now if the hook has not yet (or failed to); a concurrent seal elsewhere is fine too.
    await this.sealSafely(attemptId);
    return this.d.db.repos.review.getArchive(attemptId);
  }

  async list(p: Principal, q: ReviewSessionsQuery): Promise<{ sessions: ReviewSessionRow[]; total: number; nextCursor: string | null }> {
    const scope = scopeOf(p);
    const limit = q.limit ?? DEFAULT_PAGE;
    const { rows, total } = await this.d.db.repos.review.listSessions({
      status: q.status,
      examId: q.examId,
      centerId: q.centerId,
      roomId: q.roomId,
      sealed: q.sealed === undefined ? undefined : q.sealed === 'true',
      q: q.q,
      places: scope,
      after: q.cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      total,
      nextCursor: rows.length > limit && last ? `${last.startedAt}.${last.attemptId}` : null,
      sessions: page.map((r) => ({
        attemptId: r.attemptId,
        sessionId: r.sessionId,
        candidate: { id: r.candidateId, name: r.candidateName },
        exam: { id: r.examId, title: r.examTitle },
        status: r.status,
        isLocked: r.isLocked,
        endReason: r.endReason,
        centerId: r.centerId,
        roomId: r.roomId,
        seat: r.seat,
        startedAt: iso(r.startedAt),
        endedAt: isoOrNull(r.endedAt),
        score: r.sealedAt === null ? null : r.score,
        maxScore: r.sealedAt === null ? null : r.maxScore,
        alertCount: r.alertCount,
        openAlertCount: r.openAlertCount,
        sealed: r.sealedAt !== null,
        sealedAt: isoOrNull(r.sealedAt),
      })),
    };
  }

  /** The sealed archive, or (not final yet) a live view built the same way and not stored. */
  async detail(p: Principal, attemptId: string): Promise<ReviewDetail> {
    await this.visible(p, attemptId);
    const stored = await this.sealedArchive(attemptId);
    if (stored) {
      const archive = this.parseStored(stored);
      const questions = archive.questions ?? (await this.examQuestions(archive.metadata.exam.id));
      const marks = await this.d.db.repos.marks.list(attemptId);
      return { sealed: true, sealedAt: iso(stored.sealedAt), chainHead: stored.chainHead, archive, questions, marking: summarize(this.markKey, attemptId, stored.chainHead, archive.scoring, questions, marks) };
    }
    const snap = await this.d.db.repos.review.snapshot(attemptId);
    if (!snap) throw notFound('no such exam session');
    const live = buildArchive(snap, null, this.d.now(), await this.plannedExtra(snap.session.examId, snap.session.candidateId));
    return { sealed: false, sealedAt: null, chainHead: live.chainHead, archive: live.archive, questions: live.archive.questions ?? [], marking: null };
  }

  /**
   * Marks one question of a sealed attempt (admins): points up to the question's, and a comment.
   * Appended as a sealed addendum in a unit of work with the session row locked (so two markers
   * never fork the marks' chain), audited.
   */
  async mark(p: Principal, attemptId: string, questionId: string, req: MarkRequest, ip: string): Promise<ReviewMarking> {
    await this.visible(p, attemptId);
    const stored = await this.sealedArchive(attemptId);
    if (!stored) throw conflict('CONFLICT', 'only a finished (sealed) attempt can be marked');
    const archive = this.parseStored(stored);
    const questions = archive.questions ?? (await this.examQuestions(archive.metadata.exam.id));
    const q = questions.find((x) => x.id === questionId);
    if (!q) throw notFound('no such question in this exam');
    if (!needsMark(archive.scoring, questionId)) throw conflict('CONFLICT', 'this question is scored automatically; only text answers (and questions without a key) are marked by hand');
    if (req.points > q.points) throw invalid('VALIDATION_FAILED', `at most ${q.points} points for this question`, [{ path: 'points', message: `at most ${q.points}` }]);
    const now = this.d.now();
    await this.d.db.tx(async (r) => {
      await r.examSessions.getForUpdate(attemptId);
      const before = await r.marks.list(attemptId);
      const markedBy = p.username ?? (await r.staff.findById(p.userId))?.username ?? p.userId;
      const m = sealMark(this.markKey, { attemptId, questionId, points: req.points, comment: req.comment ?? '', markedBy, markedAt: now, chainHead: stored.chainHead }, before[before.length - 1]);
      await r.marks.append(m);
      await r.audit.append([{ at: now, actorType: 'staff', actorId: p.userId, action: 'review.marked', attemptId, detail: { questionId, points: req.points, comment: (req.comment ?? '').slice(0, 200), previous: before.filter((x) => x.questionId === questionId).pop()?.points ?? null }, ip }]);
    });
    return summarize(this.markKey, attemptId, stored.chainHead, archive.scoring, questions, await this.d.db.repos.marks.list(attemptId));
  }

  async auditExport(p: Principal, examId: string, format: string, rows: number, ip: string): Promise<void> {
    await this.d.db.repos.audit.append([{ at: this.d.now(), actorType: 'staff', actorId: p.userId, action: 'exam.results_exported', detail: { examId, format, rows }, ip }]);
  }

  /** Results of an exam (see results.ts). */
  results(examId: string): Promise<ExamResults> {
    return examResults(
      {
        db: this.d.db,
        markKey: this.markKey,
        plannedExtraMinutes: (r) => r.extraTimeMinutes,
        archiveOf: async (attemptId) => {
          const stored = await this.sealedArchive(attemptId);
          if (stored) return { stored, archive: this.parseStored(stored) };
          const snap = await this.d.db.repos.review.snapshot(attemptId);
          if (!snap) return undefined;
          return { stored: null, archive: buildArchive(snap, null, this.d.now(), await this.plannedExtra(snap.session.examId, snap.session.candidateId)).archive };
        },
      },
      examId,
    );
  }

  private async plannedExtra(examId: string, candidateId: string): Promise<{ plannedExtraMs: number; restBreakMs: number }> {
    const reg = await this.d.db.repos.registrations.get(examId, candidateId);
    return { plannedExtraMs: (reg?.extraTimeMinutes ?? 0) * 60_000, restBreakMs: (reg?.restBreakMinutes ?? 0) * 60_000 };
  }

  /** The exam's questions as an archive lists them (for archives sealed before they held them). */
  async examQuestions(examId: string): Promise<ArchiveQuestion[]> {
    const e = await this.d.db.repos.exams.get(examId);
    return (e?.questions ?? []).map((q) => ({ id: q.id, type: q.type, prompt: q.prompt, ...(q.options ? { options: q.options } : {}), points: q.points ?? 1, ...(q.correct ? { correct: q.correct } : {}) }));
  }

  private parseStored(a: StoredArchive): Archive {
    // The stored content is what was sealed; if it was tampered with, still show it (verify says so).
    try {
      return JSON.parse(a.content) as Archive;
    } catch {
      throw conflict('CONFLICT', 'the stored archive is not valid JSON: it was damaged or tampered with; see /verify');
    }
  }

  /** The sealed archive as stored (byte for byte), for download. 409 while the attempt is not final. */
  async archiveFile(p: Principal, attemptId: string): Promise<{ filename: string; content: string; chainHead: string }> {
    const a = await this.requireSealed(p, attemptId);
    return { filename: `invigil-archive-${attemptId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`, content: a.content, chainHead: a.chainHead };
  }

  async verify(p: Principal, attemptId: string): Promise<VerifyResponse> {
    const stored = await this.requireSealed(p, attemptId);
    const archive = verifySealed(this.sealKey, stored);
    const marks = await this.d.db.repos.marks.list(attemptId);
    const reason = verifyMarks(this.markKey, attemptId, stored.chainHead, marks);
    return { ...archive, marks: { count: marks.length, valid: reason === null, reason } };
  }

  private async requireSealed(p: Principal, attemptId: string): Promise<StoredArchive> {
    const { status } = await this.visible(p, attemptId);
    const a = await this.sealedArchive(attemptId);
    if (!a) {
      throw conflict('CONFLICT', `the attempt is not sealed yet: the session is ${status}; it is sealed when it is submitted, expires or is terminated`, { status });
    }
    return a;
  }
}
