import type { ArchiveQuestion, ArchiveScoring, ReviewMark, ReviewMarking } from '@invigil/contract';
import { createHmac } from 'node:crypto';
import type { MarkRecord, NewMark } from '../ports/marks.ts';
import { constantTimeEqual } from '../security/tokens.ts';
import { canonicalJson } from './canonical-json.ts';

export const MARK_FORMAT = 'invigil-mark/v1';

/**
 * Manual marks are an addendum to a sealed archive, never a change to it: the archive and its seal
 * stay as sealed (append-only), and each mark is its own append-only row whose HMAC (a key derived
 * from the server secret, used for nothing else) covers the attempt, the archive's chain head, the
 * previous mark's MAC and the mark itself. A mark edited, removed from the middle, moved to another
 * attempt or bound to another archive fails verification on every read.
 */
export const markKey = (secret: Buffer): Buffer => createHmac('sha256', secret).update('invigil-mark-seal/v1').digest();

const statement = (m: NewMark) =>
  canonicalJson({
    format: MARK_FORMAT,
    attemptId: m.attemptId,
    chainHead: m.chainHead,
    prevMac: m.prevMac,
    questionId: m.questionId,
    points: m.points,
    comment: m.comment,
    markedBy: m.markedBy,
    markedAt: m.markedAt,
  });

export const markMac = (key: Buffer, m: Omit<NewMark, 'mac'>): string => createHmac('sha256', key).update(statement({ ...m, mac: '' }), 'utf8').digest('hex');

/** The next mark of the attempt, sealed onto the previous one. */
export function sealMark(key: Buffer, m: Omit<NewMark, 'mac' | 'prevMac'>, previous: MarkRecord | undefined): NewMark {
  const prevMac = previous?.mac ?? null;
  return { ...m, prevMac, mac: markMac(key, { ...m, prevMac }) };
}

/** Checks every mark of an attempt in order; answers the first problem, or null when all hold. */
export function verifyMarks(key: Buffer, attemptId: string, chainHead: string, marks: MarkRecord[]): string | null {
  let prev: string | null = null;
  for (const [i, m] of marks.entries()) {
    if (m.attemptId !== attemptId) return `mark ${i + 1} belongs to another attempt`;
    if (m.chainHead !== chainHead) return `mark ${i + 1} is bound to another archive (chain head differs)`;
    if (m.prevMac !== prev) return `mark ${i + 1} does not follow the one before it (a mark was removed or reordered)`;
    if (!constantTimeEqual(markMac(key, m), m.mac)) return `mark ${i + 1} (question ${m.questionId}) was altered: its seal does not match under this server's key`;
    prev = m.mac;
  }
  return null;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
const iso = (t: number) => new Date(t).toISOString();

/** Which questions take a human mark: the ones auto-scoring left (text, or objective without a usable key). */
export const needsMark = (scoring: ArchiveScoring, questionId: string): boolean => scoring.questions.find((q) => q.questionId === questionId)?.outcome === 'needs_review';

/**
 * Totals with manual marks. Only verified marks count: when any fails, none count (the marks are
 * one chain) and `valid` is false with the reason. The latest mark of a question wins.
 */
export function summarize(key: Buffer, attemptId: string, chainHead: string, scoring: ArchiveScoring, questions: ArchiveQuestion[], marks: MarkRecord[]): ReviewMarking {
  const reason = verifyMarks(key, attemptId, chainHead, marks);
  const latest = new Map<string, MarkRecord>();
  if (!reason) for (const m of marks) latest.set(m.questionId, m);
  const manualIds = scoring.questions.filter((q) => q.outcome === 'needs_review').map((q) => q.questionId);
  const manualScore = round(manualIds.reduce((n, id) => n + (latest.get(id)?.points ?? 0), 0));
  const maxScore = round(questions.length ? questions.reduce((n, q) => n + q.points, 0) : scoring.maxScore + scoring.manualReview.points);
  const unmarked = manualIds.filter((id) => !latest.has(id));
  const view = (m: MarkRecord): ReviewMark => ({ questionId: m.questionId, points: m.points, comment: m.comment, markedBy: m.markedBy, markedAt: iso(m.markedAt) });
  return {
    valid: reason === null,
    reason,
    marks: [...latest.values()].map(view),
    history: marks.length,
    autoScore: scoring.score,
    manualScore,
    score: round(scoring.score + manualScore),
    maxScore,
    unmarked,
    complete: reason === null && unmarked.length === 0,
  };
}
