import { recoverSigningString, type RecoverResponse } from '@invigil/contract';
import { isFinal, remainingSeconds } from '@invigil/core';
import type { Logger } from 'pino';
import type { Database } from '../ports/database.ts';
import type { Metrics } from '../ports/metrics.ts';
import { conflict, forbidden, locked, RateLimitedError } from '../ports/errors.ts';
import type { AttemptLimiter } from '../ports/limiter.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { Actor, CandidateRef, SessionRecord } from '../ports/types.ts';
import { RECOVERY_TOKEN_LIMITS } from '../security/attempt-limits.ts';
import type { DeviceKeyVerifier } from '../security/device-keys.ts';
import { constantTimeEqual, hashSecret, nextRecoveryToken } from '../security/tokens.ts';
import { auditEntry } from './audit-entry.ts';
import { decideEvent } from './decide-change.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import { fingerprintMismatch } from './heartbeat-service.ts';
import type { SessionChanges } from './session-changes.ts';
import type { SessionReader } from './session-reader.ts';

const iso = (t: number) => new Date(t).toISOString();

/** How long a recover whose answer was lost may be retried with the token it used (same answer, no failure counted). */
export const RECOVERY_RETRY_GRACE_MS = 60_000;

export interface RecoveryDeps {
  db: Database;
  shared: SharedState;
  now: () => number;
  log: Logger;
  secretKey: Buffer;
  catalog: ExamCatalog;
  changes: SessionChanges;
  reader: SessionReader;
  verifier: DeviceKeyVerifier;
  metrics?: Metrics;
}

type Outcome = 'recovered' | 'retried' | 'wrong_token';

/**
 * Recovery after a crash: the recovery token is checked and rotated in the transaction that
 * revives the session, with the row locked, so two recovers at once cannot both use one token.
 */
export class RecoveryService {
  private readonly attempts: AttemptLimiter;

  constructor(private readonly d: RecoveryDeps) {
    this.attempts = d.shared.limiters.limiter('recovery-token', RECOVERY_TOKEN_LIMITS);
  }

  async recover(who: CandidateRef, attemptId: string, recoveryToken: string, signature: string | undefined): Promise<RecoverResponse> {
    const rec = await this.d.reader.mustBeMine(who, attemptId);
    if (isFinal(rec.state)) throw conflict('SESSION_FINISHED', `the session is ${rec.state.status}`);
    if (rec.state.isLocked) throw locked(`the session is locked: ${rec.state.lockReason ?? 'by staff'}`);
    const mismatch = this.deviceMismatch(rec, signature, recoverSigningString(attemptId, recoveryToken));
    if (mismatch) {
      this.d.log.warn({ attemptId, ip: who.ip }, 'device mismatch refused');
      const now = this.d.now();
      if (await this.d.changes.alertOnce(`${attemptId}:device`, now)) {
        await this.d.changes.alert(rec, { at: now, kind: 'device_mismatch', severity: 'critical', message: mismatch, detail: { ip: who.ip } }, [
          auditEntry({ type: 'candidate', ref: who }, attemptId, 'session.device_mismatch', now, { why: mismatch }),
        ]);
      }
      throw forbidden(mismatch, 'DEVICE_MISMATCH');
    }

    // Reserved before the token is compared: recovers in flight count like wrong ones; a success gives it back.
    const slot = await this.attempts.reserve(`attempt:${attemptId}`, who.ip);
    if (!slot.ok) throw new RateLimitedError(Math.ceil(slot.retryAfterMs / 1000));
    const { maxRecoveryAttempts } = await this.d.catalog.policy(rec.examId);
    const given = hashSecret(recoveryToken);
    const newToken = nextRecoveryToken(this.d.secretKey, attemptId, recoveryToken);
    const newHash = hashSecret(newToken);
    const actor: Actor = { type: 'candidate', ref: who };
    const { result: outcome, record: after } = await this.d.changes.mutate<Outcome>(
      attemptId,
      who,
      (current, others) => {
        const now = this.d.now();
        if (isFinal(current.state)) return { error: conflict('SESSION_FINISHED', `the session is ${current.state.status}`), result: 'wrong_token' };
        if (current.state.isLocked) return { error: locked(`the session is locked: ${current.state.lockReason ?? 'by staff'}`), result: 'wrong_token' };
        if (constantTimeEqual(given, current.recoveryTokenHash)) {
          const d = decideEvent(current, others, { type: 'recover-ok' }, actor, now, {
            needsActivation: true,
            mutate: (r) => ({ ...r, recoveryTokenHash: newHash, prevRecoveryTokenHash: current.recoveryTokenHash, recoveryRotatedAt: now }),
          });
          return { ...d, result: 'recovered' };
        }
        // The same recover again (its answer was lost): the token it used was just rotated into the
        // one we would issue now, so it gets the same answer, and no failure is counted.
        const isRetry =
          current.prevRecoveryTokenHash !== null &&
          current.recoveryRotatedAt !== null &&
          now - current.recoveryRotatedAt <= RECOVERY_RETRY_GRACE_MS &&
          constantTimeEqual(given, current.prevRecoveryTokenHash) &&
          constantTimeEqual(newHash, current.recoveryTokenHash);
        if (isRetry) return { audit: [auditEntry(actor, attemptId, 'session.recover_retried', now, { rotatedAt: iso(current.recoveryRotatedAt!) })], result: 'retried' };
        return {
          ...decideEvent(current, others, { type: 'recover-bad', maxAttempts: maxRecoveryAttempts }, actor, now),
          alerts: [{ at: now, kind: 'recovery_failed', severity: 'warning', message: 'a wrong recovery token was presented', detail: { ip: who.ip } }],
          result: 'wrong_token',
        };
      },
      { withOthers: true },
    );
    if (outcome === 'wrong_token') {
      this.d.metrics?.failedLogin('recovery');
      if (after.state.isLocked) throw locked('too many failed recovery attempts: the session is locked until staff unlock it');
      throw forbidden('the recovery token is not valid', 'INVALID_RECOVERY_TOKEN', { attemptsLeft: maxRecoveryAttempts - after.state.recoveryAttempts });
    }
    await slot.release();
    const [stats, presence] = await Promise.all([this.d.db.repos.answers.stats(attemptId), this.d.shared.presence.get(attemptId)]);
    return {
      attemptId,
      recoveryToken: newToken,
      answersRestored: stats.count,
      lastSaveTime: stats.lastSavedAt === null ? null : iso(stats.lastSavedAt),
      timeRemaining: remainingSeconds(after.state, this.d.now()),
      lastHeartbeatSeq: Math.max(after.lastSeq, presence?.seq ?? 0),
      status: after.state.status,
    };
  }

  /** Why this request does not come from the session's device, or null when it does. */
  private deviceMismatch(rec: SessionRecord, signature: string | undefined, message: string): string | null {
    if (rec.devicePublicKey) {
      if (!signature) return 'this session is bound to a device key; the request carries no signature';
      if (!this.d.verifier.verify(rec.devicePublicKey, message, signature)) return 'the signature does not match the device key this session is bound to';
    }
    return fingerprintMismatch(rec, undefined);
  }
}
