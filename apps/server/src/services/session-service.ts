import {
  heartbeatSigningString,
  recoverSigningString,
  type ActiveSessionsResponse,
  type AnswerValue,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type Question,
  type RecoverResponse,
  type SaveAnswerResponse,
  type SessionInfo,
  type StartSessionRequest,
  type StartSessionResponse,
} from '@invigil/contract';
import {
  blockReason,
  decideStart,
  initialState,
  isFinal,
  isSilent,
  mayActivate,
  remainingSeconds,
  settle,
  shouldExpire,
  transition,
  type SessionEvent,
  type SessionState,
  type TransitionResult,
} from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { AppError, notFound } from '../http/errors.ts';
import type { Presence } from '../ports/presence.ts';
import type { Store } from '../ports/store.ts';
import type { AlertInput, AuditEntry, SessionDecision, SessionRecord } from '../ports/types.ts';
import { ActiveSessionConflict } from '../adapters/sqlite/sqlite-store.ts';
import { DeviceKeyVerifier } from '../security/device-keys.ts';
import { hashSecret, newSecret, secretMatches } from '../security/tokens.ts';
import type { AnswerWriter } from './answer-writer.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import type { EventBus } from './event-bus.ts';
import { FailureLimiter } from './rate-limiter.ts';

export interface CandidateRef {
  candidateId: string;
  examId: string | null;
  ip: string;
}

/** Who caused a change: a candidate (scoped to their own sessions), staff, or the system. */
export type Actor =
  | { type: 'candidate'; ref: CandidateRef }
  | { type: 'staff'; id: string; ip: string; reason: string | null }
  | { type: 'system' };

const asActor = (who: CandidateRef | null): Actor => (who ? { type: 'candidate', ref: who } : { type: 'system' });

export interface SessionDeps {
  store: Store;
  presence: Presence;
  answers: AnswerWriter;
  exams: ExamCatalog;
  config: Config;
  now: () => number;
  log: Logger;
  bus: EventBus;
  /** Run after a session reached a final state (archive sealing...). */
  endedHooks: ((attemptId: string) => void)[];
}

const RULE_STATUS: Record<string, 400 | 403 | 409 | 423> = {
  SESSION_FINISHED: 409,
  SESSION_LOCKED: 423,
  SESSION_NOT_ACTIVE: 409,
  SESSION_NOT_PAUSED: 409,
  PAUSED_BY_STAFF: 403,
  TIME_UP: 409,
  BAD_EVENT: 400,
};

function ruleError(r: Extract<TransitionResult, { ok: false }>): AppError {
  const code = r.code === 'TIME_UP' ? 'SESSION_FINISHED' : r.code === 'BAD_EVENT' ? 'BAD_REQUEST' : r.code;
  return new AppError(RULE_STATUS[r.code] ?? 409, code, r.message);
}

const iso = (t: number) => new Date(t).toISOString();

/** The candidate exam-session lifecycle: every route of PROTOCOL.md "Candidate exam sessions". */
export class SessionService {
  private readonly verifier = new DeviceKeyVerifier();
  private readonly recoveryFailuresByIp: FailureLimiter;
  private readonly alertSent = new Map<string, number>();
  private readonly pendingInstructionAttempts = new Set<string>();

  constructor(private readonly d: SessionDeps) {
    this.recoveryFailuresByIp = new FailureLimiter(30, 60_000, d.now);
    for (const id of d.store.attemptsWithPendingInstructions()) this.pendingInstructionAttempts.add(id);
  }

  /** Makes the next heartbeat of this attempt look for staff instructions. */
  notePendingInstruction(attemptId: string): void {
    this.pendingInstructionAttempts.add(attemptId);
  }

  /** The server's settings with the exam's own overrides on top. */
  policyFor(examId: string) {
    const o = this.d.exams.get(examId)?.policy ?? {};
    const c = this.d.config;
    return {
      heartbeatIntervalMs: o.heartbeatIntervalMs ?? c.HEARTBEAT_INTERVAL_MS,
      missedHeartbeatsBeforePause: o.missedHeartbeatsBeforePause ?? c.MISSED_HEARTBEATS_BEFORE_PAUSE,
      maxRecoveryAttempts: o.maxRecoveryAttempts ?? c.MAX_RECOVERY_ATTEMPTS,
      pausedSessionTtlMs: o.pausedSessionTtlMs ?? c.PAUSED_SESSION_TTL_MS,
    };
  }

  silenceMsFor(examId: string): number {
    const p = this.policyFor(examId);
    return p.heartbeatIntervalMs * p.missedHeartbeatsBeforePause;
  }

  info(rec: SessionRecord, now = this.d.now()): SessionInfo {
    const s = rec.state;
    const presence = this.d.presence.get(rec.attemptId);
    return {
      sessionId: rec.sessionId,
      attemptId: rec.attemptId,
      examSetId: rec.examId,
      status: s.status,
      startedAt: iso(rec.startedAt),
      lastActivityAt: iso(Math.max(rec.lastActivityAt, presence?.lastSeenAt ?? 0)),
      deviceInfo: { fingerprint: rec.deviceFingerprint ?? '', browser: rec.browserInfo, ip: rec.ipAddress },
      timeRemaining: remainingSeconds(s, now),
      canResume: s.status === 'paused' && !s.isLocked && s.pauseKind !== 'staff',
      isLocked: s.isLocked,
    };
  }

  private audit(who: CandidateRef | Actor | null, attemptId: string, action: string, at: number, detail?: Record<string, unknown>, reason?: string): AuditEntry {
    const actor: Actor = who === null ? { type: 'system' } : 'type' in who ? who : { type: 'candidate', ref: who };
    const base = { at, action, attemptId, detail: detail ?? null };
    if (actor.type === 'candidate') return { ...base, actorType: 'candidate', actorId: actor.ref.candidateId, ip: actor.ref.ip, reason: reason ?? null };
    if (actor.type === 'staff') return { ...base, actorType: 'staff', actorId: actor.id, ip: actor.ip, reason: actor.reason ?? reason ?? null };
    return { ...base, actorType: 'system', actorId: null, ip: null, reason: reason ?? null };
  }

  private effectsToAudit(r: Extract<TransitionResult, { ok: true }>, who: Actor, attemptId: string, at: number): AuditEntry[] {
    return r.effects.flatMap((e) => (e.type === 'audit' ? [this.audit(who, attemptId, e.action, at, e.detail, typeof e.detail?.reason === 'string' ? e.detail.reason : undefined)] : []));
  }

  /** Rate-limits repeated alerts of one kind for one attempt (a misbehaving kiosk beats every few seconds). */
  private alertOnce(key: string, at: number): boolean {
    const last = this.alertSent.get(key);
    if (last !== undefined && at - last < 30_000) return false;
    this.alertSent.set(key, at);
    return true;
  }

  private questionOrThrow(examId: string, questionId: string): Question {
    const q = this.d.exams.get(examId)?.questionsById.get(questionId);
    if (!q) throw notFound('no such question in this exam');
    return q;
  }

  /**
   * Applies one domain event to a session atomically: settle the clock (time up → completed),
   * run the pure transition, persist state + audit in one transaction.
   */
  apply(
    attemptId: string,
    whoOrActor: CandidateRef | Actor | null,
    event: SessionEvent,
    opts: { needsActivation?: boolean; mutate?: (rec: SessionRecord) => SessionRecord; alerts?: AlertInput[] } = {},
  ): SessionRecord {
    // Answers accepted before this change are committed first, so none lands after it.
    this.d.answers.flush();
    const now = this.d.now();
    const actor: Actor = whoOrActor === null ? { type: 'system' } : 'type' in whoOrActor ? whoOrActor : asActor(whoOrActor);
    const scope = actor.type === 'candidate' ? actor.ref.candidateId : null;
    const raised = (opts.alerts ?? []).map((a) => ({ ...a, id: a.id ?? randomUUID() }));
    try {
      const out = this.d.store.updateSession<{ rec: SessionRecord } | { error: AppError; rec?: SessionRecord }>(
        attemptId,
        scope,
        (current, others): SessionDecision<{ rec: SessionRecord } | { error: AppError; rec?: SessionRecord }> => {
          let rec = current;
          const audit: AuditEntry[] = [];
          const settled = settle(rec.state, now);
          if (settled) {
            rec = { ...rec, state: settled.state };
            audit.push(...this.effectsToAudit(settled, { type: 'system' }, attemptId, now));
          }
          const r = transition(rec.state, event, now);
          if (!r.ok) {
            const error = ruleError(r);
            return settled ? { kind: 'update', record: rec, audit, result: { error, rec } } : { kind: 'keep', result: { error } };
          }
          if (opts.needsActivation && r.state.status === 'active' && rec.state.status !== 'active' && !mayActivate(others.map((o) => o.state))) {
            const error = new AppError(409, 'ACTIVE_SESSION_EXISTS', 'another exam session of yours is active; pause or finish it first');
            return settled ? { kind: 'update', record: rec, audit, result: { error, rec } } : { kind: 'keep', result: { error } };
          }
          let next: SessionRecord = { ...rec, state: r.state };
          if (r.state.status === 'active' && rec.state.status !== 'active') next.lastActivityAt = now;
          // Time a session spent paused by staff is incident time, kept for the review.
          if (rec.state.status === 'paused' && rec.state.pauseKind === 'staff' && r.state.status !== 'paused' && rec.state.pausedAt !== null) {
            next.incidentMs = rec.incidentMs + Math.max(0, now - rec.state.pausedAt);
          }
          if (opts.mutate) next = opts.mutate(next);
          audit.push(...this.effectsToAudit(r, actor, attemptId, now));
          const alerts = raised.map((a) => ({ ...a, centerId: rec.centerId, roomId: rec.roomId }));
          return { kind: 'update', record: next, audit, alerts, result: { rec: next } };
        },
      );
      if (!out) throw notFound('no such exam session');
      if ('error' in out) {
        if (out.rec) this.afterChange(out.rec, now);
        throw out.error;
      }
      this.afterChange(out.rec, now);
      for (const a of raised) {
        this.d.bus.publish({ type: 'alert', at: a.at, attemptId, candidateId: out.rec.candidateId, examId: out.rec.examId, centerId: out.rec.centerId, roomId: out.rec.roomId, data: { id: a.id, kind: a.kind, severity: a.severity, message: a.message } });
      }
      return out.rec;
    } catch (e) {
      if (e instanceof ActiveSessionConflict) throw new AppError(409, 'ACTIVE_SESSION_EXISTS', 'another exam session of yours is active');
      throw e;
    }
  }

  /**
   * Changes a session's non-rule fields (device binding, transfer code...) atomically, with an
   * audit entry. Refuses final sessions.
   */
  amend(attemptId: string, actor: Actor, action: string, fn: (rec: SessionRecord) => SessionRecord, detail: Record<string, unknown> = {}): SessionRecord {
    const now = this.d.now();
    const out = this.d.store.updateSession<SessionRecord | AppError>(attemptId, actor.type === 'candidate' ? actor.ref.candidateId : null, (current) => {
      if (isFinal(current.state)) return { kind: 'keep', result: new AppError(409, 'SESSION_FINISHED', `the session is ${current.state.status}`) };
      const next = fn(current);
      return { kind: 'update', record: next, audit: [this.audit(actor, attemptId, action, now, detail)], result: next };
    });
    if (!out) throw notFound('no such exam session');
    if (out instanceof AppError) throw out;
    this.publish(out, now);
    return out;
  }

  private afterChange(rec: SessionRecord, now: number): void {
    if (rec.state.status === 'active') this.d.presence.touch(rec.attemptId, now, rec.lastSeq);
    this.publish(rec, now);
    if (isFinal(rec.state)) {
      this.d.presence.forget(rec.attemptId);
      this.boundKeys.delete(rec.attemptId);
      for (const hook of this.d.endedHooks) {
        try {
          hook(rec.attemptId);
        } catch (err) {
          this.d.log.error({ err, attemptId: rec.attemptId }, 'session-ended hook failed');
        }
      }
    }
  }

  /** Heartbeats seen since the last presence event, grouped by center and room (events are scoped). */
  private seenSinceLastEvent = new Map<string, { centerId: string | null; roomId: string | null; seen: Map<string, number> }>();

  private notePresence(rec: SessionRecord, now: number): void {
    if (this.d.bus.size === 0) return; // nobody is watching
    const key = `${rec.centerId ?? ''}/${rec.roomId ?? ''}`;
    let group = this.seenSinceLastEvent.get(key);
    if (!group) this.seenSinceLastEvent.set(key, (group = { centerId: rec.centerId, roomId: rec.roomId, seen: new Map() }));
    group.seen.set(rec.attemptId, now);
  }

  /**
   * Publishes the heartbeats seen since the last call as one `presence` event per center and room
   * (`data.seen`: attemptId → ISO time), so live room views show "seconds since last heartbeat"
   * without an event per heartbeat. Called by the presence flusher.
   */
  publishPresence(now: number): number {
    let n = 0;
    for (const g of this.seenSinceLastEvent.values()) {
      const seen: Record<string, string> = {};
      for (const [id, t] of g.seen) seen[id] = iso(t);
      n += g.seen.size;
      this.d.bus.publish({ type: 'presence', at: now, centerId: g.centerId, roomId: g.roomId, data: { seen } });
    }
    this.seenSinceLastEvent.clear();
    return n;
  }

  /** Tells live staff views that a session changed. */
  publish(rec: SessionRecord, now: number, type = 'session.changed', data: Record<string, unknown> = {}): void {
    this.d.bus.publish({
      type,
      at: now,
      attemptId: rec.attemptId,
      candidateId: rec.candidateId,
      examId: rec.examId,
      centerId: rec.centerId,
      roomId: rec.roomId,
      data: { status: rec.state.status, isLocked: rec.state.isLocked, timeRemaining: remainingSeconds(rec.state, now), pauseKind: rec.state.pauseKind, ...data },
    });
  }

  /** Raises an alert and tells live staff views about it. */
  alert(rec: SessionRecord, a: Omit<AlertInput, 'attemptId' | 'candidateId' | 'examId' | 'centerId' | 'roomId'>): void {
    const full: AlertInput = { ...a, attemptId: rec.attemptId, candidateId: rec.candidateId, examId: rec.examId, centerId: rec.centerId, roomId: rec.roomId };
    const id = this.d.store.raiseAlert(full);
    this.d.bus.publish({ type: 'alert', at: a.at, attemptId: rec.attemptId, candidateId: rec.candidateId, examId: rec.examId, centerId: rec.centerId, roomId: rec.roomId, data: { id, kind: a.kind, severity: a.severity, message: a.message } });
  }

  // ---- routes --------------------------------------------------------------------------

  start(who: CandidateRef, req: StartSessionRequest, userAgent: string): StartSessionResponse {
    const exam = this.d.exams.get(req.examSetId);
    const registered = exam && this.d.store.findRegistration(req.examSetId, who.candidateId);
    if (!exam || !registered || exam.status === 'draft') throw notFound('no such exam for this candidate');
    const now = this.d.now();
    if (exam.status === 'closed' || (exam.closesAt !== null && now >= exam.closesAt)) throw new AppError(409, 'EXAM_CLOSED', 'this exam is closed');
    if (exam.opensAt !== null && now < exam.opensAt) {
      throw new AppError(409, 'EXAM_NOT_OPEN', `this exam opens at ${iso(exam.opensAt)}`, { opensAt: iso(exam.opensAt) });
    }
    const recoveryToken = newSecret();
    const attemptId = randomUUID();
    const outcome = this.d.store.startSession(
      {
        sessionId: randomUUID(),
        attemptId,
        candidateId: who.candidateId,
        examId: req.examSetId,
        state: initialState(exam.durationMinutes * 60_000, now),
        recoveryTokenHash: hashSecret(recoveryToken),
        devicePublicKey: req.devicePublicKey ?? null,
        deviceFingerprint: req.deviceFingerprint ?? null,
        browserInfo: (req.browserInfo ?? userAgent).slice(0, 1_000),
        ipAddress: who.ip,
        centerId: registered.centerId,
        roomId: registered.roomId,
        seat: registered.seat,
        now,
      },
      (existing) => decideStart(existing, req.examSetId, this.d.config.MAX_PAUSED_SESSIONS),
      [this.audit(who, attemptId, 'session.started', now, { examId: req.examSetId, deviceBound: !!req.devicePublicKey, fingerprint: req.deviceFingerprint ?? null })],
    );
    if (!outcome.ok) throw new AppError(409, outcome.code, outcome.message);
    this.d.presence.touch(attemptId, now, 0);
    this.publish(outcome.record, now, 'session.started');
    return {
      ...this.info(outcome.record, now),
      recoveryToken,
      heartbeatIntervalMs: this.policyFor(req.examSetId).heartbeatIntervalMs,
      serverTime: now,
    };
  }

  active(who: CandidateRef): ActiveSessionsResponse {
    const now = this.d.now();
    const mine = this.d.store.listCandidateSessions(who.candidateId).map((rec) => this.settled(rec, now));
    const active = mine.find((r) => r.state.status === 'active');
    const paused = mine.filter((r) => r.state.status === 'paused');
    const states = mine.map((r) => r.state);
    const reason = blockReason(states, this.d.config.MAX_PAUSED_SESSIONS);
    return {
      hasActiveSession: !!active,
      ...(active ? { activeSession: this.info(active, now) } : {}),
      pausedSessions: paused.map((r) => this.info(r, now)),
      canStartNew: reason === undefined,
      ...(reason ? { blockReason: reason } : {}),
    };
  }

  /** A session whose time ran out is completed the moment anyone looks at it. */
  private settled(rec: SessionRecord, now: number): SessionRecord {
    if (!settle(rec.state, now)) return rec;
    try {
      return this.apply(rec.attemptId, null, { type: 'heartbeat' });
    } catch (e) {
      if (e instanceof AppError) return this.d.store.getSession(rec.attemptId) ?? rec;
      throw e;
    }
  }

  async heartbeat(who: CandidateRef, req: HeartbeatRequest): Promise<HeartbeatResponse> {
    // The signature is checked off the event loop (libuv's thread pool) against the key this
    // attempt was bound to, remembered from an earlier heartbeat when there was one; the session is
    // read after the check, so what this heartbeat answers (lock, status, instructions) is the state
    // after it. Should the key have changed meanwhile (transfer to another desk), the check is
    // made again with the key now bound.
    let signedKey = this.boundKeys.get(req.attemptId);
    let signatureOk = signedKey === undefined ? false : await this.checkSignature(signedKey, req);
    let rec = this.mine(who, req.attemptId);
    if (!rec) throw notFound('no such exam session');
    if (signedKey !== rec.devicePublicKey) {
      signedKey = rec.devicePublicKey;
      this.rememberKey(rec.attemptId, signedKey);
      signatureOk = await this.checkSignature(signedKey, req);
      rec = this.mine(who, req.attemptId);
      if (!rec) throw notFound('no such exam session');
    }
    const now = this.d.now();
    const refuse = (warning: string, extra: Partial<HeartbeatResponse> = {}): HeartbeatResponse => ({
      sessionValid: false,
      timeRemaining: remainingSeconds(rec!.state, now),
      serverTime: now,
      warning,
      shouldForceRefresh: false,
      instructions: [],
      status: rec!.state.status,
      isLocked: rec!.state.isLocked,
      ...extra,
    });

    // Device binding: a heartbeat not signed by the bound key never touches the session.
    const mismatch =
      rec.devicePublicKey !== signedKey
        ? 'the session was moved to another device'
        : !signedKey
          ? this.fingerprintMismatch(rec, req.deviceFingerprint)
          : !req.signature
            ? 'this session is bound to a device key; the request carries no signature'
            : !signatureOk
              ? 'the signature does not match the device key this session is bound to'
              : this.fingerprintMismatch(rec, req.deviceFingerprint);
    if (mismatch) {
      this.deviceAlert(rec, who, mismatch, now);
      return refuse(`DEVICE_MISMATCH: ${mismatch}`, { shouldForceRefresh: true });
    }
    if (!this.d.presence.advance(rec.attemptId, req.seq, now, rec.lastSeq)) {
      if (this.alertOnce(`${rec.attemptId}:replay`, now)) {
        this.alert(rec, { at: now, kind: 'heartbeat_replay', severity: 'warning', message: `heartbeat seq ${req.seq} was not above the last one seen`, detail: { seq: req.seq } });
      }
      return refuse(`REPLAYED_SEQ: seq ${req.seq} is not above the last heartbeat's`);
    }

    this.notePresence(rec, now);
    // The device is proven: deliver staff instructions and take its acknowledgements.
    if (req.ackInstructionIds?.length) {
      this.d.store.ackInstructions(rec.attemptId, rec.deviceGeneration, req.ackInstructionIds, now);
    }
    const instructions = this.pendingInstructionAttempts.has(rec.attemptId) ? this.d.store.pendingInstructions(rec.attemptId, rec.deviceGeneration) : [];
    if (instructions.length === 0) this.pendingInstructionAttempts.delete(rec.attemptId);
    else this.d.store.markInstructionsDelivered(rec.attemptId, instructions.map((i) => i.id), now);
    if (req.events?.length) this.recordIntegrityEvents(rec, req.events, now);
    const delivered = instructions.map((i) => ({ id: i.id, type: i.type, issuedAt: iso(i.issuedAt), ...(i.message ? { message: i.message } : {}) }));

    if (settle(rec.state, now)) {
      rec = this.settled(rec, now);
      return refuse('SESSION_FINISHED: exam time is over; the attempt was submitted', { instructions: delivered, timeRemaining: 0 });
    }
    if (rec.state.isLocked) return refuse(`SESSION_LOCKED: ${rec.state.lockReason ?? 'locked by staff'}`, { instructions: delivered });
    if (rec.state.status !== 'active') {
      return refuse(`SESSION_${rec.state.status.toUpperCase()}: the session is ${rec.state.status}${rec.state.pauseKind ? ` (${rec.state.pauseKind})` : ''}`, {
        instructions: delivered,
        shouldForceRefresh: isFinal(rec.state),
      });
    }
    return {
      sessionValid: true,
      timeRemaining: remainingSeconds(rec.state, now),
      serverTime: now,
      shouldForceRefresh: false,
      instructions: delivered,
      status: rec.state.status,
      isLocked: false,
    };
  }

  /**
   * The candidate's own attempt, of the exam their login is for; undefined otherwise (the routes
   * answer 404, exactly as for an id that does not exist).
   */
  private mine(who: CandidateRef, attemptId: string): SessionRecord | undefined {
    const rec = this.d.store.getSession(attemptId, who.candidateId);
    return rec && (who.examId === null || rec.examId === who.examId) ? rec : undefined;
  }

  private mustBeMine(who: CandidateRef, attemptId: string): void {
    if (!this.mine(who, attemptId)) throw notFound('no such exam session');
  }

  /** attemptId → the device key its session was bound to when last seen (null: not bound). */
  private readonly boundKeys = new Map<string, string | null>();

  private rememberKey(attemptId: string, key: string | null): void {
    if (this.boundKeys.size >= 100_000) this.boundKeys.clear(); // a cache: losing it costs one read
    this.boundKeys.set(attemptId, key);
  }

  private checkSignature(key: string | null, req: HeartbeatRequest): Promise<boolean> {
    return key === null ? Promise.resolve(true) : this.verifier.verifyAsync(key, heartbeatSigningString(req.attemptId, req.seq), req.signature);
  }

  /** Why this request does not come from the session's device, or null when it does. */
  private deviceMismatch(rec: SessionRecord, fingerprint: string | undefined, signature: string | undefined, message: string): string | null {
    if (rec.devicePublicKey) {
      if (!signature) return 'this session is bound to a device key; the request carries no signature';
      if (!this.verifier.verify(rec.devicePublicKey, message, signature)) return 'the signature does not match the device key this session is bound to';
    }
    return this.fingerprintMismatch(rec, fingerprint);
  }

  private fingerprintMismatch(rec: SessionRecord, fingerprint: string | undefined): string | null {
    if (fingerprint !== undefined && rec.deviceFingerprint && fingerprint !== rec.deviceFingerprint) {
      return 'the device fingerprint differs from the one this session started on';
    }
    return null;
  }

  private deviceAlert(rec: SessionRecord, who: CandidateRef, why: string, now: number): void {
    this.d.log.warn({ attemptId: rec.attemptId, ip: who.ip }, 'device mismatch refused');
    if (!this.alertOnce(`${rec.attemptId}:device`, now)) return;
    this.alert(rec, { at: now, kind: 'device_mismatch', severity: 'critical', message: why, detail: { ip: who.ip } });
    this.d.store.appendAudit([this.audit(who, rec.attemptId, 'session.device_mismatch', now, { why })]);
  }

  private recordIntegrityEvents(rec: SessionRecord, events: NonNullable<HeartbeatRequest['events']>, now: number): void {
    for (const ev of events) {
      if (ev.type === 'focus_regained') continue;
      const severity = ev.type === 'remote_access' || ev.type === 'vm_suspected' || ev.type === 'forbidden_process' ? 'critical' : 'warning';
      this.alert(rec, { at: now, kind: ev.type, severity, message: `kiosk reported ${ev.type.replaceAll('_', ' ')}`, detail: { reportedAt: ev.at, ...(ev.details ?? {}) } });
    }
  }

  pause(who: CandidateRef, attemptId: string): SessionInfo {
    this.mustBeMine(who, attemptId);
    return this.info(this.apply(attemptId, who, { type: 'pause', by: 'candidate' }));
  }

  resume(who: CandidateRef, attemptId: string): SessionInfo {
    this.mustBeMine(who, attemptId);
    return this.info(this.apply(attemptId, who, { type: 'resume', by: 'candidate' }, { needsActivation: true }));
  }

  recover(who: CandidateRef, attemptId: string, recoveryToken: string, signature: string | undefined): RecoverResponse {
    this.recoveryFailuresByIp.check(who.ip);
    const now = this.d.now();
    const rec = this.mine(who, attemptId);
    if (!rec) throw notFound('no such exam session');
    if (isFinal(rec.state)) throw new AppError(409, 'SESSION_FINISHED', `the session is ${rec.state.status}`);
    if (rec.state.isLocked) throw new AppError(423, 'SESSION_LOCKED', `the session is locked: ${rec.state.lockReason ?? 'by staff'}`);
    const mismatch = this.deviceMismatch(rec, undefined, signature, recoverSigningString(attemptId, recoveryToken));
    if (mismatch) {
      this.deviceAlert(rec, who, mismatch, now);
      throw new AppError(403, 'DEVICE_MISMATCH', mismatch);
    }
    if (!secretMatches(recoveryToken, rec.recoveryTokenHash)) {
      this.recoveryFailuresByIp.fail(who.ip);
      const maxAttempts = this.policyFor(rec.examId).maxRecoveryAttempts;
      const after = this.apply(attemptId, who, { type: 'recover-bad', maxAttempts }, {
        alerts: [{ at: now, attemptId, candidateId: rec.candidateId, examId: rec.examId, kind: 'recovery_failed', severity: 'warning', message: 'a wrong recovery token was presented', detail: { ip: who.ip } }],
      });
      if (after.state.isLocked) throw new AppError(423, 'SESSION_LOCKED', 'too many failed recovery attempts: the session is locked until staff unlock it');
      throw new AppError(403, 'INVALID_RECOVERY_TOKEN', 'the recovery token is not valid', {
        attemptsLeft: maxAttempts - after.state.recoveryAttempts,
      });
    }
    const newToken = newSecret();
    const after = this.apply(attemptId, who, { type: 'recover-ok' }, { needsActivation: true, mutate: (r) => ({ ...r, recoveryTokenHash: hashSecret(newToken) }) });
    const stats = this.d.store.answerStats(attemptId);
    const seq = Math.max(after.lastSeq, this.d.presence.get(attemptId)?.seq ?? 0);
    return {
      attemptId,
      recoveryToken: newToken,
      answersRestored: stats.count,
      lastSaveTime: stats.lastSavedAt === null ? null : iso(stats.lastSavedAt),
      timeRemaining: remainingSeconds(after.state, this.d.now()),
      lastHeartbeatSeq: seq,
      status: after.state.status,
    };
  }

  async saveAnswer(who: CandidateRef, attemptId: string, questionId: string, value: AnswerValue, clientSeq: number): Promise<SaveAnswerResponse> {
    const now = this.d.now();
    let rec = this.mine(who, attemptId);
    if (!rec) throw notFound('no such exam session');
    if (settle(rec.state, now)) rec = this.settled(rec, now);
    if (isFinal(rec.state)) throw new AppError(409, 'SESSION_FINISHED', `the session is ${rec.state.status}; answers can no longer change`);
    if (rec.state.isLocked) throw new AppError(423, 'SESSION_LOCKED', `the session is locked: ${rec.state.lockReason ?? 'by staff'}`);
    if (rec.state.status !== 'active') throw new AppError(409, 'SESSION_NOT_ACTIVE', `the session is ${rec.state.status}; resume it first`);
    const question = this.questionOrThrow(rec.examId, questionId);
    checkAnswerShape(question, value);
    const r = await this.d.answers.save({ attemptId, questionId, valueJson: JSON.stringify(value), clientSeq, at: now });
    return { questionId, clientSeq: r.clientSeq, savedAt: iso(r.savedAt), applied: r.applied };
  }

  listAnswers(who: CandidateRef, attemptId: string) {
    const rec = this.mine(who, attemptId);
    if (!rec) throw notFound('no such exam session');
    return {
      answers: this.d.store.listAnswers(attemptId).map((a) => ({ questionId: a.questionId, value: a.value as AnswerValue, clientSeq: a.clientSeq, savedAt: iso(a.savedAt) })),
    };
  }

  /**
   * Submitting is idempotent: a kiosk that lost the answer to its submit and retries gets the
   * completed session again (also when time ran out just before the click), never an error.
   */
  submit(who: CandidateRef, attemptId: string): SessionInfo {
    this.mustBeMine(who, attemptId);
    try {
      return this.info(this.apply(attemptId, who, { type: 'submit', by: 'candidate' }));
    } catch (e) {
      const rec = this.mine(who, attemptId);
      if (e instanceof AppError && rec?.state.status === 'completed') return this.info(rec);
      throw e;
    }
  }

  terminate(who: CandidateRef, attemptId: string): void {
    this.mustBeMine(who, attemptId);
    this.apply(attemptId, who, { type: 'terminate', by: 'candidate' });
  }

  // ---- the sweeper's work ----------------------------------------------------------------

  /** Auto-pauses silent sessions, completes those whose time ran out, expires stale paused ones. */
  sweep(): { autoPaused: number; completed: number; expired: number } {
    const now = this.d.now();
    let autoPaused = 0;
    let completed = 0;
    let expired = 0;
    for (const rec of this.d.store.listSessionsByStatus('active')) {
      if (settle(rec.state, now)) {
        this.settled(rec, now);
        completed += 1;
        continue;
      }
      const lastSeen = Math.max(rec.lastActivityAt, this.d.presence.get(rec.attemptId)?.lastSeenAt ?? 0);
      if (!isSilent(rec.state, lastSeen, now, this.silenceMsFor(rec.examId))) continue;
      try {
        this.apply(rec.attemptId, null, { type: 'auto-pause', lastSeenAt: lastSeen }, {
          alerts: [{ at: now, attemptId: rec.attemptId, candidateId: rec.candidateId, examId: rec.examId, kind: 'offline', severity: 'warning', message: `no heartbeat for ${Math.round((now - lastSeen) / 1000)} s: session paused`, detail: { lastSeenAt: iso(lastSeen) } }],
        });
        autoPaused += 1;
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
      }
    }
    for (const rec of this.d.store.listSessionsByStatus('paused')) {
      if (!shouldExpire(rec.state, now, this.policyFor(rec.examId).pausedSessionTtlMs)) continue;
      try {
        this.apply(rec.attemptId, null, { type: 'expire' });
        expired += 1;
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
      }
    }
    return { autoPaused, completed, expired };
  }
}

/** An answer must fit its question: an option id, a set of option ids, or text. */
export function checkAnswerShape(q: Question, value: AnswerValue): void {
  if (value === null) return;
  const options = new Set((q.options ?? []).map((o) => o.id));
  const bad = (why: string) => new AppError(400, 'INVALID_ANSWER', why, { questionId: q.id, type: q.type });
  if (q.type === 'text') {
    if (typeof value !== 'string') throw bad('a text question takes a string');
  } else if (q.type === 'single') {
    if (typeof value !== 'string' || !options.has(value)) throw bad('a single-choice question takes one of its option ids');
  } else {
    if (!Array.isArray(value) || value.some((v) => !options.has(v)) || new Set(value).size !== value.length) {
      throw bad('a multiple-choice question takes a list of distinct option ids');
    }
  }
}

export type { SessionState };
