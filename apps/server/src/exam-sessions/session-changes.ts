import type { InstructionType, LiveEvent } from '@invigil/contract';
import { isFinal, remainingSeconds, type SessionEvent } from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../ports/database.ts';
import type { Metrics } from '../ports/metrics.ts';
import { conflict, notFound, UniqueViolation } from '../ports/errors.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { Actor, AlertInput, AuditEntry, CandidateRef, SessionRecord } from '../ports/types.ts';
import type { AnswerWriter } from './answer-writer.ts';
import { decideEvent, type Decision, type EventOptions } from './decide-change.ts';

const iso = (t: number) => new Date(t).toISOString();

/** How long a candidate's login outlives the attempt it served (the kiosk shows the end, retries a lost submit answer). */
export const LOGIN_AFTER_END_MS = 10 * 60_000;

/** An alert about the session, placed where the session sits when it is stored. */
export type SessionAlert = Omit<AlertInput, 'attemptId' | 'candidateId' | 'examId' | 'centerId' | 'roomId'>;

/** An instruction for the session's kiosk, queued in the same transaction as the change. */
export interface InstructionOrder {
  type: InstructionType;
  message: string | null;
  issuedBy: string;
  reason: string | null;
  /** The whole-room action it is part of (its deliveries are counted). */
  batchId?: string;
}

/** What a change stores besides the session itself, in the same transaction. */
export interface Extras {
  alerts?: SessionAlert[];
  instructions?: InstructionOrder[];
  /** Said in the session.changed event: the staff action that caused the change, and who. */
  announce?: { action: string; by: string };
}

export interface SessionChangeDeps {
  db: Database;
  shared: SharedState;
  now: () => number;
  log: Logger;
  answers: AnswerWriter;
  /** Run after a session reached a final state (archive sealing…). Never throws into the caller. */
  endedHooks: ((attemptId: string) => void)[];
  metrics?: Metrics;
  /** Told of every stored change (the sweeper's due index looks at the session again: a pause can make it due sooner). */
  changed?: (attemptId: string) => void;
}

/** A candidate sees only their own attempts, of the exam their login is for. */
const visibleTo = (rec: SessionRecord, scope: CandidateRef | null) => scope === null || (rec.candidateId === scope.candidateId && (scope.examId === null || rec.examId === scope.examId));

/**
 * Every change to an exam session goes through here: one unit of work that locks the session row,
 * lets pure code decide, and stores the session, its audit, alerts and instructions together.
 * After the commit: presence, live events for staff, instruction hints, session-ended hooks.
 */
export class SessionChanges {
  constructor(private readonly d: SessionChangeDeps) {}

  get now(): number {
    return this.d.now();
  }

  /**
   * The read-modify-write of one session. `decide` is pure: it gets the session (404 unless in
   * `scope`), the candidate's other sessions when `withOthers`, and what `prepare` read inside the
   * transaction (presence, say), and says what to store. Queued answers are committed first
   * (unless `flushAnswers: false`), so none lands after the change.
   */
  async mutate<T, P = undefined>(
    attemptId: string,
    scope: CandidateRef | null,
    decide: (current: SessionRecord, others: SessionRecord[], prepared: P) => Decision<T> & Extras,
    opts: { withOthers?: boolean; flushAnswers?: boolean; prepare?: (current: SessionRecord) => Promise<P> } = {},
  ): Promise<{ result: T; record: SessionRecord; changed: boolean }> {
    if (opts.flushAnswers !== false) await this.d.answers.flush();
    const now = this.d.now();
    let out;
    try {
      out = await this.d.db.tx(async (r) => {
        const current = await r.examSessions.getForUpdate(attemptId, scope?.candidateId);
        if (!current || !visibleTo(current, scope)) return undefined;
        const others = opts.withOthers ? (await r.examSessions.listForCandidate(current.candidateId)).filter((o) => o.attemptId !== attemptId) : [];
        const prepared = (opts.prepare ? await opts.prepare(current) : undefined) as P;
        const d = decide(current, others, prepared);
        const rec = d.record ?? current;
        if (d.record) await r.examSessions.update(d.record, now);
        // The attempt ended: the candidate's logins serving it end shortly after (time for the final answer).
        if (d.record && isFinal(d.record.state) && !isFinal(current.state)) await r.loginSessions.endPinned(attemptId, now + LOGIN_AFTER_END_MS, now);
        if (d.audit?.length) await r.audit.append(d.audit);
        const alerts = [];
        for (const a of d.alerts ?? []) {
          const raised = await r.alerts.raise({ ...a, id: a.id ?? randomUUID(), attemptId, candidateId: rec.candidateId, examId: rec.examId, centerId: rec.centerId, roomId: rec.roomId });
          alerts.push({ ...a, id: raised.id, total: raised.count, created: raised.count === (a.count ?? 1) });
        }
        // Issued with (never before) the change that caused it: the archive's timeline keeps the order.
        const issuedAt = Math.max(now, ...(d.audit ?? []).map((a) => a.at));
        for (const i of d.instructions ?? []) {
          await r.instructions.add({ id: randomUUID(), attemptId, type: i.type, message: i.message, issuedAt, issuedBy: i.issuedBy, reason: i.reason, deviceGeneration: rec.deviceGeneration, batchId: i.batchId ?? null });
        }
        return { d, rec, alerts, instructed: (d.instructions ?? []).length > 0, announce: d.announce };
      });
    } catch (e) {
      if (e instanceof UniqueViolation && e.constraint === 'one_active_session_per_candidate') {
        throw conflict('ACTIVE_SESSION_EXISTS', 'another exam session of yours is active; pause or finish it first');
      }
      throw e;
    }
    if (!out) throw notFound('no such exam session');
    if (out.d.record) await this.afterChange(out.rec, now, out.announce);
    else if (out.announce) await this.publish(out.rec, now, out.announce);
    if (out.instructed) await this.d.shared.hints.mark(attemptId);
    for (const a of out.alerts) await this.publishAlert(out.rec, a);
    if (out.d.error) throw out.d.error;
    return { result: out.d.result, record: out.rec, changed: out.d.record !== undefined };
  }

  /** Applies one domain event (see decideEvent) with whatever else changes with it. */
  async apply(attemptId: string, actor: Actor, event: SessionEvent, opts: EventOptions & Extras = {}): Promise<SessionRecord> {
    const scope = actor.type === 'candidate' ? actor.ref : null;
    const { record } = await this.mutate(
      attemptId,
      scope,
      (current, others) => ({ ...decideEvent(current, others, event, actor, this.d.now(), opts), alerts: opts.alerts, instructions: opts.instructions, announce: opts.announce }),
      { withOthers: opts.needsActivation === true },
    );
    return record;
  }

  private async afterChange(rec: SessionRecord, now: number, announce?: { action: string; by: string }): Promise<void> {
    const { presence } = this.d.shared;
    this.d.changed?.(rec.attemptId);
    if (rec.state.status === 'active') await presence.touch(rec.attemptId, now, rec.lastSeq);
    await this.publish(rec, now, announce);
    if (isFinal(rec.state)) {
      await presence.forget(rec.attemptId);
      for (const hook of this.d.endedHooks) {
        try {
          hook(rec.attemptId);
        } catch (err) {
          this.d.log.error({ err, attemptId: rec.attemptId }, 'session-ended hook failed');
        }
      }
    }
  }

  /** Tells live staff views that a session changed. */
  publish(rec: SessionRecord, now: number, extra: { action?: string; by?: string } = {}): Promise<void> {
    return this.publishEvent({
      type: 'session.changed',
      at: iso(now),
      attemptId: rec.attemptId,
      candidateId: rec.candidateId,
      examId: rec.examId,
      centerId: rec.centerId,
      roomId: rec.roomId,
      data: { status: rec.state.status, isLocked: rec.state.isLocked, timeRemaining: remainingSeconds(rec.state, now), pauseKind: rec.state.pauseKind, ...extra },
    });
  }

  /** Publishing is best effort: a live view that misses an event catches up on its next resync. */
  async publishEvent(e: LiveEvent): Promise<void> {
    try {
      await this.d.shared.events.publish(e);
    } catch (err) {
      this.d.log.warn({ err, type: e.type }, 'could not publish a live event');
    }
  }

  /**
   * Tells live staff views. A new alert always; a coalesced repeat (count > 1) at most every 5 s per
   * alert, so a kiosk repeating an event cannot flood every console.
   */
  private async publishAlert(rec: SessionRecord, a: SessionAlert & { id: string; total: number; created: boolean }): Promise<void> {
    if (!a.created && !(await this.d.shared.throttle.take(`alert-live:${a.id}`, 5_000, a.at))) return;
    this.d.metrics?.alert(a.kind);
    return this.publishEvent({
      type: 'alert',
      at: iso(a.at),
      attemptId: rec.attemptId,
      candidateId: rec.candidateId,
      examId: rec.examId,
      centerId: rec.centerId,
      roomId: rec.roomId,
      data: { id: a.id, kind: a.kind, severity: a.severity, message: a.message, count: a.total },
    });
  }

  /** Raises alerts about a session (coalesced; with audit entries, in one transaction) and tells live staff views. */
  async alert(rec: SessionRecord, alerts: SessionAlert | SessionAlert[], audit: AuditEntry[] = []): Promise<void> {
    const list = Array.isArray(alerts) ? alerts : [alerts];
    if (list.length === 0 && audit.length === 0) return;
    const raised = await this.d.db.tx(async (r) => {
      const out = [];
      for (const a of list) {
        const raised = await r.alerts.raise({ ...a, id: a.id ?? randomUUID(), attemptId: rec.attemptId, candidateId: rec.candidateId, examId: rec.examId, centerId: rec.centerId, roomId: rec.roomId });
        out.push({ ...a, id: raised.id, total: raised.count, created: raised.count === (a.count ?? 1) });
      }
      if (audit.length) await r.audit.append(audit);
      return out;
    });
    for (const a of raised) await this.publishAlert(rec, a);
  }

  /** At most one alert of a kind per attempt every 30 s, across every process. */
  alertOnce(key: string, now: number): Promise<boolean> {
    return this.d.shared.throttle.take(key, 30_000, now);
  }
}
