import { ClaimTransferResponse } from '@invigil/contract';
import type { z } from 'zod';
import { isFinal } from '@invigil/core';
import type { Database } from '../ports/database.ts';
import { conflict, forbidden, notFound, RateLimitedError } from '../ports/errors.ts';
import type { AttemptLimiter } from '../ports/limiter.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { Actor, CandidateRef, Principal, SessionRecord } from '../ports/types.ts';
import { auditEntry } from '../exam-sessions/audit-entry.ts';
import { decideEvent } from '../exam-sessions/decide-change.ts';
import type { ExamCatalog } from '../exam-sessions/exam-catalog.ts';
import type { HeartbeatService } from '../exam-sessions/heartbeat-service.ts';
import type { SessionChanges } from '../exam-sessions/session-changes.ts';
import type { SessionReader } from '../exam-sessions/session-reader.ts';
import { RESUME_CODE_LIMITS } from '../security/attempt-limits.ts';
import { normalizeResumeCode, newResumeCode } from '../security/resume-code.ts';
import { hashSecret, newSecret, secretMatches } from '../security/tokens.ts';
import type { RoomService } from './room-service.ts';
import { inScope, scopeOf } from './scope.ts';

const iso = (t: number) => new Date(t).toISOString();
export const RESUME_CODE_TTL_MS = 15 * 60_000;
export const MAX_WRONG_RESUME_CODES = 5;

export interface TransferDeps {
  db: Database;
  shared: SharedState;
  now: () => number;
  catalog: ExamCatalog;
  changes: SessionChanges;
  reader: SessionReader;
  room: RoomService;
  heartbeats: HeartbeatService;
  metrics?: Metrics;
}

/**
 * Transfer to another desk: the session is paused (incident time) and a one-time resume code is
 * issued, in one transaction with the old desk's "quit" instruction. The candidate signs in on the
 * new kiosk and claims the session with the code and a new device key; the old key stops working.
 */
export class TransferService {
  private readonly claims: AttemptLimiter;

  constructor(private readonly d: TransferDeps) {
    this.claims = d.shared.limiters.limiter('resume-code', RESUME_CODE_LIMITS);
  }

  async transfer(p: Principal, attemptId: string, body: { reason: string; roomId?: string; seat?: string }, ip: string): Promise<{ resumeCode: string; expiresAt: string }> {
    const rec = await this.d.room.visible(p, attemptId);
    if (isFinal(rec.state)) throw conflict('SESSION_FINISHED', `the session is ${rec.state.status}`);
    // The new room must be one of the session's own center, and in the caller's scope.
    if (body.roomId) {
      const room = await this.d.db.repos.places.getRoom(body.roomId);
      if (!room || room.centerId !== rec.centerId || !inScope(scopeOf(p), { centerId: rec.centerId, roomId: body.roomId })) throw notFound('no such room');
    }
    const code = newResumeCode();
    const actor: Actor = { type: 'staff', id: p.userId, ip, reason: body.reason };
    const { result: expiresAt } = await this.d.changes.mutate(attemptId, null, (current) => {
      const now = this.d.now();
      if (isFinal(current.state)) return { error: conflict('SESSION_FINISHED', `the session is ${current.state.status}`), result: 0 };
      let rec = current;
      const audit = [];
      if (rec.state.status === 'active') {
        const paused = decideEvent(rec, [], { type: 'pause', by: 'staff', reason: `transfer: ${body.reason}` }, actor, now);
        if (paused.error) return { ...paused, result: 0 };
        rec = paused.record!;
        audit.push(...(paused.audit ?? []));
      }
      // Already paused (say the old kiosk died): it becomes a staff pause, so only the claim revives it.
      const state = rec.state.status === 'paused' ? { ...rec.state, pauseKind: 'staff' as const, pausedAt: rec.state.pausedAt ?? now } : rec.state;
      const next: SessionRecord = {
        ...rec,
        state,
        resumeCodeHash: hashSecret(normalizeResumeCode(code)),
        resumeCodeExpiresAt: now + RESUME_CODE_TTL_MS,
        resumeCodeFailures: 0,
        ...(body.roomId ? { roomId: body.roomId } : {}),
        ...(body.seat ? { seat: body.seat } : {}),
      };
      audit.push(auditEntry(actor, attemptId, 'session.transfer_started', now, { toRoomId: body.roomId ?? null, toSeat: body.seat ?? null, codeExpiresAt: iso(now + RESUME_CODE_TTL_MS) }));
      return {
        record: next,
        audit,
        instructions: [{ type: 'quit' as const, message: 'Please move to the desk the proctor shows you. Your answers are safe.', issuedBy: p.userId, reason: body.reason }],
        announce: { action: 'transfer', by: p.userId },
        result: now + RESUME_CODE_TTL_MS,
      };
    });
    return { resumeCode: code, expiresAt: iso(expiresAt) };
  }

  /** On the new desk: the code is checked, counted and spent under the session's row lock. */
  async claim(who: CandidateRef, body: { resumeCode: string; devicePublicKey: string; deviceFingerprint?: string; browserInfo?: string }, userAgent: string): Promise<z.infer<typeof ClaimTransferResponse>> {
    // Reserved before anything is compared: claims in flight count like wrong ones; a claim gives it back.
    const slot = await this.claims.reserve(`candidate:${who.candidateId}`, who.ip);
    if (!slot.ok) throw new RateLimitedError(Math.ceil(slot.retryAfterMs / 1000));
    const wrong = () => forbidden('the resume code is wrong or has expired; ask the proctor for a new one', 'INVALID_RESUME_CODE');
    const pending = (await this.d.db.repos.examSessions.listForCandidate(who.candidateId)).find(
      (r) => r.resumeCodeHash !== null && !isFinal(r.state) && (who.examId === null || r.examId === who.examId),
    );
    if (!pending) throw wrong();
    const code = normalizeResumeCode(body.resumeCode);
    const recoveryToken = newSecret();
    const actor: Actor = { type: 'candidate', ref: who };
    const { result, record: after } = await this.d.changes.mutate<'claimed' | 'wrong'>(
      pending.attemptId,
      who,
      (current, others) => {
        const now = this.d.now();
        const live = current.resumeCodeHash !== null && !isFinal(current.state) && current.resumeCodeExpiresAt !== null && current.resumeCodeExpiresAt > now;
        if (!live || !secretMatches(code, current.resumeCodeHash!)) {
          if (current.resumeCodeHash === null) return { result: 'wrong' };
          const failures = current.resumeCodeFailures + 1;
          const dies = failures >= MAX_WRONG_RESUME_CODES;
          return {
            // Too many guesses: the code dies; staff issue a new one.
            record: { ...current, resumeCodeFailures: failures, ...(dies ? { resumeCodeHash: null, resumeCodeExpiresAt: null } : {}) },
            audit: dies ? [auditEntry({ type: 'system' }, current.attemptId, 'session.resume_code_revoked', now, { wrongAttempts: failures })] : [],
            alerts: [{ at: now, kind: 'resume_code_failed', severity: 'warning', message: 'a wrong or expired resume code was entered', detail: { ip: who.ip, attempts: failures } }],
            result: 'wrong',
          };
        }
        const d = decideEvent(current, others, { type: 'resume', by: 'staff' }, actor, now, {
          needsActivation: true,
          mutate: (r) => ({
            ...r,
            devicePublicKey: body.devicePublicKey,
            deviceFingerprint: body.deviceFingerprint ?? null,
            browserInfo: (body.browserInfo ?? userAgent).slice(0, 1_000),
            ipAddress: who.ip,
            resumeCodeHash: null,
            resumeCodeExpiresAt: null,
            resumeCodeFailures: 0,
            deviceGeneration: r.deviceGeneration + 1,
            recoveryTokenHash: hashSecret(recoveryToken),
            prevRecoveryTokenHash: null,
            recoveryRotatedAt: null,
            lastSeq: 0,
          }),
          audit: (next) => [auditEntry(actor, next.attemptId, 'session.transfer_claimed', now, { deviceGeneration: next.deviceGeneration, fingerprint: body.deviceFingerprint ?? null })],
        });
        return { ...d, result: 'claimed' };
      },
      { withOthers: true },
    );
    if (result === 'wrong') {
      this.d.metrics?.failedLogin('resume_code');
      throw wrong();
    }
    await slot.release();
    // The new device's heartbeats count from seq 1 again.
    const now = this.d.now();
    await this.d.shared.presence.forget(after.attemptId);
    await this.d.shared.presence.touch(after.attemptId, now, 0);
    this.d.heartbeats.forgetKey(after.attemptId);
    return {
      ...(await this.d.reader.info(after, now)),
      recoveryToken,
      heartbeatIntervalMs: (await this.d.catalog.policy(after.examId)).heartbeatIntervalMs,
      serverTime: now,
      answersRestored: (await this.d.db.repos.answers.stats(after.attemptId)).count,
    };
  }
}
