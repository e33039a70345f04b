import type { ActiveSessionsResponse, StartSessionRequest, StartSessionResponse } from '@invigil/contract';
import { blockReason, decideStart, initialState, settle } from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Database } from '../ports/database.ts';
import { conflict, notFound, UniqueViolation } from '../ports/errors.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { CandidateRef, SessionRecord } from '../ports/types.ts';
import { hashSecret, newSecret } from '../security/tokens.ts';
import { auditEntry, effectsToAudit } from './audit-entry.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import type { SessionChanges } from './session-changes.ts';
import type { SessionReader } from './session-reader.ts';

const iso = (t: number) => new Date(t).toISOString();

export interface StartDeps {
  db: Database;
  shared: SharedState;
  config: Config;
  now: () => number;
  catalog: ExamCatalog;
  changes: SessionChanges;
  reader: SessionReader;
}

/** Starting an attempt (one active session per candidate, atomically) and the candidate's overview. */
export class StartService {
  constructor(private readonly d: StartDeps) {}

  async start(who: CandidateRef, req: StartSessionRequest, userAgent: string): Promise<StartSessionResponse> {
    const exam = await this.d.catalog.get(req.examSetId);
    const registered = exam && (await this.d.db.repos.registrations.find(req.examSetId, who.candidateId));
    if (!exam || !registered || exam.status === 'draft') throw notFound('no such exam for this candidate');
    const now = this.d.now();
    if (exam.status === 'closed' || (exam.closesAt !== null && now >= exam.closesAt)) throw conflict('EXAM_CLOSED', 'this exam is closed');
    if (exam.opensAt !== null && now < exam.opensAt) throw conflict('EXAM_NOT_OPEN', `this exam opens at ${iso(exam.opensAt)}`, { opensAt: iso(exam.opensAt) });

    const recoveryToken = newSecret();
    const attemptId = randomUUID();
    const record: SessionRecord = {
      sessionId: randomUUID(),
      attemptId,
      candidateId: who.candidateId,
      examId: req.examSetId,
      // Planned extra time (an accommodation) is part of the allowed time from the start; incident
      // time and proctors' extensions are counted apart from it.
      state: initialState((exam.durationMinutes + registered.extraTimeMinutes) * 60_000, now),
      recoveryTokenHash: hashSecret(recoveryToken),
      devicePublicKey: req.devicePublicKey ?? null,
      deviceFingerprint: req.deviceFingerprint ?? null,
      browserInfo: (req.browserInfo ?? userAgent).slice(0, 1_000),
      ipAddress: who.ip,
      startedAt: now,
      lastActivityAt: now,
      lastSeq: 0,
      heartbeatCount: 0,
      centerId: registered.centerId,
      roomId: registered.roomId,
      seat: registered.seat,
      resumeCodeHash: null,
      resumeCodeExpiresAt: null,
      resumeCodeFailures: 0,
      prevRecoveryTokenHash: null,
      recoveryRotatedAt: null,
      deviceGeneration: 0,
    };
    const refusal = await this.d.db
      .tx(async (r) => {
        // The friendly answer is decided from every session of the candidate; the database's unique
        // indexes make it hold whatever the concurrency and the number of processes.
        const existing = await r.examSessions.listForCandidate(who.candidateId);
        const decision = decideStart(existing.map((s) => ({ examId: s.examId, status: s.state.status })), req.examSetId, this.d.config.MAX_PAUSED_SESSIONS);
        if (!decision.ok) return decision;
        await r.examSessions.insert(record, now);
        // The login now lives as long as this attempt can continue (a long staff pause or outage does not end it).
        if (who.loginId) await r.loginSessions.pin(who.loginId, attemptId);
        await r.audit.append([auditEntry({ type: 'candidate', ref: who }, attemptId, 'session.started', now, { examId: req.examSetId, deviceBound: !!req.devicePublicKey, fingerprint: req.deviceFingerprint ?? null })]);
        // A proctor let this candidate start despite failed pre-exam checks: the attempt's own audit says so (review shows it).
        const waivers = await r.roomOps.waivers(req.examSetId, who.candidateId);
        if (waivers.length) {
          await r.audit.append([auditEntry({ type: 'system' }, attemptId, 'session.started_with_waiver', now, { checks: [...new Set(waivers.flatMap((w) => w.checks))], waivers: waivers.map((w) => ({ id: w.id, at: new Date(w.at).toISOString(), by: w.grantedByName, reason: w.reason, checks: w.checks })) })]);
        }
        return null;
      })
      .catch((e: unknown) => {
        if (e instanceof UniqueViolation && e.constraint === 'one_active_session_per_candidate') return { code: 'ACTIVE_SESSION_EXISTS' as const, message: 'you already have an active exam session' };
        if (e instanceof UniqueViolation && e.constraint === 'one_attempt_per_exam') return { code: 'ATTEMPT_FINISHED' as const, message: 'this exam was already attempted' };
        throw e;
      });
    if (refusal) throw conflict(refusal.code, refusal.message);
    await this.d.shared.presence.touch(attemptId, now, 0);
    await this.d.changes.publishEvent({
      type: 'session.started',
      at: iso(now),
      attemptId,
      candidateId: record.candidateId,
      examId: record.examId,
      centerId: record.centerId,
      roomId: record.roomId,
      data: { status: 'active', isLocked: false, timeRemaining: (exam.durationMinutes + registered.extraTimeMinutes) * 60, pauseKind: null },
    });
    return {
      ...(await this.d.reader.info(record, now)),
      recoveryToken,
      heartbeatIntervalMs: this.d.catalog.policyOf(exam).heartbeatIntervalMs,
      serverTime: now,
    };
  }

  async active(who: CandidateRef): Promise<ActiveSessionsResponse> {
    const now = this.d.now();
    const all = await this.d.db.repos.examSessions.listForCandidate(who.candidateId);
    const mine = await Promise.all(all.map((rec) => settleIfDue(this.d.changes, rec, now)));
    const active = mine.find((r) => r.state.status === 'active');
    const paused = mine.filter((r) => r.state.status === 'paused');
    const reason = blockReason(mine.map((r) => r.state), this.d.config.MAX_PAUSED_SESSIONS);
    return {
      hasActiveSession: !!active,
      ...(active ? { activeSession: await this.d.reader.info(active, now) } : {}),
      pausedSessions: await Promise.all(paused.map((r) => this.d.reader.info(r, now))),
      canStartNew: reason === undefined,
      ...(reason ? { blockReason: reason } : {}),
    };
  }
}

/** A session whose time ran out is completed the moment anyone looks at it (re-checked under its row lock). */
export async function settleIfDue(changes: SessionChanges, rec: SessionRecord, now: number): Promise<SessionRecord> {
  if (!settle(rec.state, now)) return rec;
  const { record } = await changes.mutate(rec.attemptId, null, (current) => {
    const s = settle(current.state, changes.now);
    return s ? { record: { ...current, state: s.state }, audit: effectsToAudit(s, { type: 'system' }, current.attemptId, changes.now), result: null } : { result: null };
  });
  return record;
}
