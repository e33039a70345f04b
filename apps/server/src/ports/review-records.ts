import type { Question } from '@invigil/contract';
import type { SessionState } from '@invigil/core';
import type { Assignment, SessionRecord } from './types.ts';

/** Everything an archive is built from, read in one transaction. Times are epoch ms. */
export interface AttemptSnapshot {
  /** The session without its secrets (recovery token and resume code hashes never enter an archive). */
  session: Pick<
    SessionRecord,
    | 'sessionId' | 'attemptId' | 'candidateId' | 'examId' | 'state' | 'startedAt' | 'devicePublicKey' | 'deviceFingerprint'
    | 'browserInfo' | 'ipAddress' | 'centerId' | 'roomId' | 'seat' | 'deviceGeneration'
  >;
  exam: { id: string; title: string; durationMinutes: number; questions: Question[] } | null;
  candidateName: string;
  answers: { questionId: string; value: unknown; clientSeq: number; savedAt: number }[];
  audit: { id: number; at: number; actorType: string; actorId: string | null; action: string; reason: string | null; detail: unknown; ip: string | null }[];
  alerts: {
    id: string;
    at: number;
    kind: string;
    severity: string;
    message: string;
    detail: unknown;
    acknowledgedAt: number | null;
    acknowledgedBy: string | null;
  }[];
  instructions: {
    id: string;
    type: string;
    message: string | null;
    reason: string | null;
    issuedAt: number;
    issuedBy: string;
    deliveredAt: number | null;
    ackedAt: number | null;
  }[];
}

export interface StoredArchive {
  attemptId: string;
  sealedAt: number;
  /** Canonical JSON of the archive. */
  content: string;
  chainHead: string;
  score: number | null;
  maxScore: number | null;
  /** The keyed seal, stored apart (its own append-only table); null for an archive that has none. */
  seal: ArchiveSeal | null;
}

/** A seal statement (canonical JSON, review/seal.ts) and its HMAC under the server secret. */
export interface ArchiveSeal {
  statement: string;
  mac: string;
}

/** Who may be listed: everyone (admin) or sessions placed in these assignments (proctor). */
export type PlaceFilter = { all: true } | { all: false; assignments: Assignment[] };

export interface ReviewListFilter {
  status?: string;
  examId?: string;
  centerId?: string;
  roomId?: string;
  sealed?: boolean;
  q?: string;
  places: PlaceFilter;
  /** Rows strictly after this one in (startedAt desc, attemptId desc) order. */
  after?: { startedAt: number; attemptId: string };
  limit: number;
}

export interface ReviewListRow {
  attemptId: string;
  sessionId: string;
  candidateId: string;
  candidateName: string;
  examId: string;
  examTitle: string;
  status: SessionState['status'];
  isLocked: boolean;
  endReason: string | null;
  centerId: string | null;
  roomId: string | null;
  seat: string | null;
  startedAt: number;
  endedAt: number | null;
  score: number | null;
  maxScore: number | null;
  sealedAt: number | null;
  alertCount: number;
  openAlertCount: number;
}
