import type { SessionRecord } from '../../ports/types.ts';
import type { examSessions } from './schema.ts';

/** A row of exam_sessions, as drizzle reads it or as a raw statement selects it (`selectList`). */
export type SessionRow = typeof examSessions.$inferSelect;

export function toRecord(r: SessionRow): SessionRecord {
  return {
    sessionId: r.id,
    attemptId: r.attemptId,
    candidateId: r.candidateId,
    examId: r.examId,
    state: {
      status: r.status,
      isLocked: r.isLocked,
      lockReason: r.lockReason,
      allowedMs: r.allowedMs,
      usedMs: r.usedMs,
      runningSince: r.runningSince,
      pausedAt: r.pausedAt,
      pauseKind: r.pauseKind,
      recoveryAttempts: r.recoveryAttempts,
      endedAt: r.endedAt,
      endReason: r.endReason,
      incidentMs: r.incidentMs,
    },
    recoveryTokenHash: r.recoveryTokenHash,
    devicePublicKey: r.devicePublicKey,
    deviceFingerprint: r.deviceFingerprint,
    browserInfo: r.browserInfo,
    ipAddress: r.ipAddress,
    startedAt: r.startedAt,
    lastActivityAt: r.lastActivityAt,
    lastSeq: r.lastSeq,
    heartbeatCount: r.heartbeatCount,
    centerId: r.centerId,
    roomId: r.roomId,
    seat: r.seat,
    resumeCodeHash: r.resumeCodeHash,
    resumeCodeExpiresAt: r.resumeCodeExpiresAt,
    resumeCodeFailures: r.resumeCodeFailures,
    prevRecoveryTokenHash: r.prevRecoveryTokenHash,
    recoveryRotatedAt: r.recoveryRotatedAt,
    deviceGeneration: r.deviceGeneration,
  };
}

export function toRow(rec: SessionRecord, now: number): SessionRow {
  const s = rec.state;
  return {
    id: rec.sessionId,
    attemptId: rec.attemptId,
    candidateId: rec.candidateId,
    examId: rec.examId,
    status: s.status,
    isLocked: s.isLocked,
    lockReason: s.lockReason,
    allowedMs: s.allowedMs,
    usedMs: s.usedMs,
    runningSince: s.runningSince,
    pausedAt: s.pausedAt,
    pauseKind: s.pauseKind,
    recoveryAttempts: s.recoveryAttempts,
    recoveryTokenHash: rec.recoveryTokenHash,
    endedAt: s.endedAt,
    endReason: s.endReason,
    startedAt: rec.startedAt,
    lastActivityAt: rec.lastActivityAt,
    devicePublicKey: rec.devicePublicKey,
    deviceFingerprint: rec.deviceFingerprint,
    browserInfo: rec.browserInfo,
    ipAddress: rec.ipAddress,
    lastSeq: rec.lastSeq,
    heartbeatCount: rec.heartbeatCount,
    centerId: rec.centerId,
    roomId: rec.roomId,
    seat: rec.seat,
    incidentMs: s.incidentMs,
    resumeCodeHash: rec.resumeCodeHash,
    resumeCodeExpiresAt: rec.resumeCodeExpiresAt,
    resumeCodeFailures: rec.resumeCodeFailures,
    prevRecoveryTokenHash: rec.prevRecoveryTokenHash,
    recoveryRotatedAt: rec.recoveryRotatedAt,
    deviceGeneration: rec.deviceGeneration,
    updatedAt: now,
  };
}
