import { initialState } from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '../ports/types.ts';

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
