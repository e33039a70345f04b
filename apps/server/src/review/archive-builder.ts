import type { Archive, AnswerValue } from '@invigil/contract';
import { usedAt } from '@invigil/core';
import { canonicalJson } from './canonical-json.ts';
import { ARCHIVE_FORMAT, chainEvents, genesisHash, type UnhashedEvent } from './hash-chain.ts';
import type { AttemptSnapshot } from '../ports/review-records.ts';
import { scoreAttempt } from './scoring.ts';

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | null) => (t === null ? null : iso(t));

/** Order of sources for events at the same millisecond: what happened (audit) before what it raised. */
const SOURCE_ORDER = { audit: 0, alert: 1, instruction: 2 } as const;

/** The attempt's timeline: audit events, alerts and instructions, ordered by time (ties stable). */
export function timeline(s: AttemptSnapshot): UnhashedEvent[] {
  const items: { at: number; source: keyof typeof SOURCE_ORDER; tie: string | number; type: string; data: Record<string, unknown> }[] = [
    ...s.audit.map((e) => ({
      at: e.at,
      source: 'audit' as const,
      tie: e.id,
      type: e.action,
      data: { auditId: e.id, actorType: e.actorType, actorId: e.actorId, reason: e.reason, detail: e.detail, ip: e.ip },
    })),
    ...s.alerts.map((a) => ({
      at: a.at,
      source: 'alert' as const,
      tie: a.id,
      type: a.kind,
      data: { alertId: a.id, severity: a.severity, message: a.message, detail: a.detail, acknowledgedAt: isoOrNull(a.acknowledgedAt), acknowledgedBy: a.acknowledgedBy },
    })),
    ...s.instructions.map((i) => ({
      at: i.issuedAt,
      source: 'instruction' as const,
      tie: i.id,
      type: i.type,
      data: { instructionId: i.id, message: i.message, reason: i.reason, issuedBy: i.issuedBy, deliveredAt: isoOrNull(i.deliveredAt), ackedAt: isoOrNull(i.ackedAt) },
    })),
  ];
  items.sort((a, b) => a.at - b.at || SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0));
  return items.map((e, seq) => ({ seq, at: iso(e.at), source: e.source, type: e.type, data: e.data }));
}

export interface BuiltArchive {
  archive: Archive;
  /** Canonical JSON of `archive`. */
  content: string;
  chainHead: string;
  score: number;
  maxScore: number;
}

/**
 * Builds the archive of an attempt from a snapshot: metadata, device, answers with save times,
 * scoring, and the timeline under the hash chain. `sealedAt` null = a live view (not stored).
 */
export function buildArchive(s: AttemptSnapshot, sealedAt: number | null, now: number, extra: { plannedExtraMs?: number; restBreakMs?: number } = {}): BuiltArchive {
  const { session: r, exam } = s;
  const questions = exam?.questions ?? [];
  const order = new Map(questions.map((q, i) => [q.id, i]));
  const answers = [...s.answers]
    .sort((a, b) => (order.get(a.questionId) ?? Infinity) - (order.get(b.questionId) ?? Infinity) || (a.questionId < b.questionId ? -1 : 1))
    .map((a) => ({ questionId: a.questionId, value: a.value as AnswerValue, clientSeq: a.clientSeq, savedAt: iso(a.savedAt) }));
  const scoring = scoreAttempt(questions, new Map(s.answers.map((a) => [a.questionId, a.value])));
  const events = timeline(s);
  // Planned extra time (accommodation) and proctors' extensions, both inside allowedMs, told apart.
  const plannedExtraMs = extra.plannedExtraMs ?? 0;
  const baseMs = (exam?.durationMinutes ?? 0) * 60_000;
  const extensionMs = exam ? Math.max(0, r.state.allowedMs - baseMs - plannedExtraMs) : 0;
  const header = {
    format: ARCHIVE_FORMAT,
    // Self-contained: the questions as they were (text, options, key), so the archive reads without the exam.
    questions: questions.map((q) => ({ id: q.id, type: q.type, prompt: q.prompt, ...(q.options ? { options: q.options.map((o) => ({ id: o.id, label: o.label })) } : {}), points: q.points ?? 1, ...(q.correct ? { correct: q.correct } : {}) })),
    attemptId: r.attemptId,
    sealedAt: isoOrNull(sealedAt),
    metadata: {
      attemptId: r.attemptId,
      sessionId: r.sessionId,
      exam: { id: r.examId, title: exam?.title ?? '', durationMinutes: exam?.durationMinutes ?? null },
      candidate: { id: r.candidateId, name: s.candidateName },
      centerId: r.centerId,
      roomId: r.roomId,
      seat: r.seat,
      status: r.state.status,
      isLocked: r.state.isLocked,
      endReason: r.state.endReason,
      startedAt: iso(r.startedAt),
      endedAt: isoOrNull(r.state.endedAt),
      timeAllowedSeconds: Math.floor(r.state.allowedMs / 1000),
      timeUsedSeconds: Math.floor(usedAt(r.state, r.state.endedAt ?? now) / 1000),
      incidentSeconds: Math.floor(r.state.incidentMs / 1000),
      plannedExtraSeconds: Math.floor(plannedExtraMs / 1000),
      extensionSeconds: Math.floor(extensionMs / 1000),
      restBreakSeconds: Math.floor((extra.restBreakMs ?? 0) / 1000),
      counts: { answers: answers.length, events: events.length, alerts: s.alerts.length, instructions: s.instructions.length },
    },
    device: { publicKey: r.devicePublicKey, fingerprint: r.deviceFingerprint, browser: r.browserInfo, ip: r.ipAddress, generation: r.deviceGeneration },
    answers,
    scoring,
  } as const;
  const genesis = genesisHash(header);
  const chained = chainEvents(genesis, events);
  const archive: Archive = { ...header, events: chained.events, chain: { algorithm: 'sha256', genesis, head: chained.head } };
  return { archive, content: canonicalJson(archive), chainHead: chained.head, score: scoring.score, maxScore: scoring.maxScore };
}
