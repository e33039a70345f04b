import { initialState } from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { AuthSessionRecord, SessionRecord } from '../ports/types.ts';

/** A live staff login (a proctor's, unless `over` says otherwise), for the behaviour suites and their tests. */
export function loginFixture(o: { userId: string; at: number }, over: Partial<AuthSessionRecord> = {}): AuthSessionRecord {
  return {
    id: randomUUID(),
    tokenHash: randomUUID(),
    subjectType: 'staff',
    userId: o.userId,
    role: 'proctor',
    examId: null,
    candidateId: null,
    userAgent: 'suite',
    deviceType: 'desktop',
    deviceName: 'Suite',
    browser: 'b',
    os: 'o',
    ipAddress: '10.0.0.1',
    createdAt: o.at,
    lastActivity: o.at,
    expiresAt: o.at + 3_600_000,
    idleTimeoutMs: 600_000,
    revokedAt: null,
    revokeReason: null,
    ...over,
  };
}

/**
 * A fresh exam session as the start service would store it, for the adapters' behaviour suites,
 * their tests and the benchmarks (which write sessions straight through the repositories).
 */
export function sessionFixture(o: { examId: string; candidateId: string; at: number; allowedMs?: number }, over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: randomUUID(),
    attemptId: randomUUID(),
    candidateId: o.candidateId,
    examId: o.examId,
    state: initialState(o.allowedMs ?? 30 * 60_000, o.at),
    recoveryTokenHash: 'hash',
    devicePublicKey: null,
    deviceFingerprint: null,
    browserInfo: 'suite',
    ipAddress: '10.0.0.1',
    startedAt: o.at,
    lastActivityAt: o.at,
    lastSeq: 0,
    heartbeatCount: 0,
    centerId: null,
    roomId: null,
    seat: null,
    resumeCodeHash: null,
    resumeCodeExpiresAt: null,
    resumeCodeFailures: 0,
    prevRecoveryTokenHash: null,
    recoveryRotatedAt: null,
    deviceGeneration: 0,
    ...over,
  };
}
