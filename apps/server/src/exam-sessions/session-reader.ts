import type { SessionInfo } from '@invigil/contract';
import { canResume, remainingSeconds } from '@invigil/core';
import type { Database } from '../ports/database.ts';
import { notFound } from '../ports/errors.ts';
import type { Presence } from '../ports/presence.ts';
import type { CopyCheck } from '../ports/stamps.ts';
import type { CandidateRef, SessionRecord } from '../ports/types.ts';

const iso = (t: number) => new Date(t).toISOString();

/** SessionInfo of PROTOCOL.md; `lastSeenAt` is the latest heartbeat presence knows of. */
export function sessionInfo(rec: SessionRecord, lastSeenAt: number | undefined, now: number): SessionInfo {
  const s = rec.state;
  return {
    sessionId: rec.sessionId,
    attemptId: rec.attemptId,
    examSetId: rec.examId,
    status: s.status,
    startedAt: iso(rec.startedAt),
    lastActivityAt: iso(Math.max(rec.lastActivityAt, lastSeenAt ?? 0)),
    deviceInfo: { fingerprint: rec.deviceFingerprint ?? '', browser: rec.browserInfo, ip: rec.ipAddress },
    timeRemaining: remainingSeconds(s, now),
    canResume: canResume(s),
    isLocked: s.isLocked,
  };
}

/** Reads a candidate's own sessions (404 for anybody else's, exactly as for an unknown id). */
export class SessionReader {
  constructor(private readonly d: { db: Database; presence: Presence; now: () => number }) {}

  /** The candidate's own attempt, of the exam their login is for; undefined otherwise. */
  async mine(who: CandidateRef, attemptId: string): Promise<SessionRecord | undefined> {
    const rec = await this.d.db.repos.examSessions.get(attemptId, who.candidateId);
    return rec && (who.examId === null || rec.examId === who.examId) ? rec : undefined;
  }

  /**
   * The candidate's own attempt as a copy held in memory, not yet checked against its stamp (see
   * ExamSessionRepo.held), or undefined when none is held (then read it with `mustBeMine`).
   */
  held(who: CandidateRef, attemptId: string): { rec: SessionRecord; check: CopyCheck } | undefined {
    const h = this.d.db.repos.examSessions.held?.(attemptId, who.candidateId);
    return h && (who.examId === null || h.rec.examId === who.examId) ? h : undefined;
  }

  async mustBeMine(who: CandidateRef, attemptId: string): Promise<SessionRecord> {
    const rec = await this.mine(who, attemptId);
    if (!rec) throw notFound('no such exam session');
    return rec;
  }

  async info(rec: SessionRecord, now = this.d.now()): Promise<SessionInfo> {
    return sessionInfo(rec, (await this.d.presence.get(rec.attemptId))?.lastSeenAt, now);
  }
}
