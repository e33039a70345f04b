import type { Alert, Instruction, LiveSession, ProctorAction } from '@invigil/contract';
import { isFinal, remainingSeconds, type SessionEvent } from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Principal } from '../http/context.ts';
import { AppError, notFound } from '../http/errors.ts';
import type { Presence } from '../ports/presence.ts';
import type { Store } from '../ports/store.ts';
import type { AlertRecord, SessionRecord, StaffSessionFilter } from '../ports/types.ts';
import { normalizeResumeCode, newResumeCode } from '../security/resume-code.ts';
import { hashSecret, newSecret, secretMatches } from '../security/tokens.ts';
import type { EventBus } from './event-bus.ts';
import { FailureLimiter } from './rate-limiter.ts';
import { inScope, scopeOf } from './scope.ts';
import type { CandidateRef, SessionService } from './session-service.ts';

export interface ProctorDeps {
  store: Store;
  presence: Presence;
  sessions: SessionService;
  bus: EventBus;
  config: Config;
  now: () => number;
}

const iso = (t: number) => new Date(t).toISOString();
const RESUME_CODE_TTL_MS = 15 * 60_000;
const MAX_WRONG_RESUME_CODES = 5;

/** What staff do to live exam sessions: actions (delivered to the kiosk as instructions), transfer, alerts. */
export class ProctorService {
  private readonly claimFailuresByIp: FailureLimiter;
  private readonly wrongCodes = new Map<string, number>();
  /** The center a room belongs to (undefined: no such room). Rooms live in the admin module, which wires this. */
  roomCenter: (roomId: string) => string | undefined = () => undefined;

  constructor(private readonly d: ProctorDeps) {
    this.claimFailuresByIp = new FailureLimiter(20, 60_000, d.now);
  }

  /** The session if this staff member may see it; 404 otherwise, exactly like an unknown id. */
  private visible(p: Principal, attemptId: string): SessionRecord {
    const rec = this.d.store.getSession(attemptId);
    if (!rec || !inScope(scopeOf(p), rec)) throw notFound('no such exam session');
    return rec;
  }

  private instruct(rec: SessionRecord, type: Instruction['type'], by: Principal, message: string | null, reason: string | null): void {
    const now = this.d.now();
    this.d.store.addInstruction({ id: randomUUID(), attemptId: rec.attemptId, type, message, issuedAt: now, issuedBy: by.userId, reason, deviceGeneration: rec.deviceGeneration });
    this.d.sessions.notePendingInstruction(rec.attemptId);
  }

  act(p: Principal, attemptId: string, a: ProctorAction, ip: string): LiveSession {
    const rec = this.visible(p, attemptId);
    const actor = { type: 'staff' as const, id: p.userId, ip, reason: a.reason ?? null };
    const events: Record<ProctorAction['action'], SessionEvent | null> = {
      lock: { type: 'lock', reason: a.reason ?? 'locked by staff' },
      unlock: { type: 'unlock' },
      pause: { type: 'pause', by: 'staff', reason: a.reason },
      resume: { type: 'resume', by: 'staff' },
      extend: { type: 'extend', ms: a.action === 'extend' ? a.minutes * 60_000 : 0 },
      message: null,
      force_submit: { type: 'submit', by: 'staff' },
      terminate: { type: 'terminate', by: 'staff' },
    };
    const event = events[a.action];
    let after = rec;
    if (event) {
      after = this.d.sessions.apply(attemptId, actor, event, { needsActivation: a.action === 'resume' });
    } else {
      if (isFinal(rec.state)) throw new AppError(409, 'SESSION_FINISHED', `the session is ${rec.state.status}`);
      this.d.store.appendAudit([{ at: this.d.now(), actorType: 'staff', actorId: p.userId, action: 'session.message_sent', attemptId, reason: a.reason ?? null, detail: { message: a.action === 'message' ? a.message : '' }, ip }]);
    }
    const kiosk: Record<ProctorAction['action'], [Instruction['type'], string | null]> = {
      lock: ['lock', a.reason ?? null],
      unlock: ['unlock', null],
      pause: ['pause', a.reason ?? null],
      resume: ['resume', null],
      extend: ['message', a.action === 'extend' ? `Your time was extended by ${a.minutes} minute${a.minutes === 1 ? '' : 's'}.` : null],
      message: ['message', a.action === 'message' ? a.message : null],
      force_submit: ['submit', 'Your exam was submitted by the proctor.'],
      terminate: ['quit', 'Your exam session was ended by the proctor.'],
    };
    const [type, message] = kiosk[a.action];
    this.instruct(after, type, p, message, a.reason ?? null);
    this.d.sessions.publish(after, this.d.now(), 'session.changed', { action: a.action, by: p.userId });
    const candidateName = this.d.store.findRegistration(after.examId, after.candidateId)?.name ?? '';
    return this.live({ ...after, candidateName }, this.d.store.openAlertCounts());
  }

  /**
   * Transfer to another desk: the session is paused (incident time) and a one-time resume code is
   * issued. The candidate signs in on the new kiosk and claims it with the code; the new device key
   * is bound and the old one stops being accepted.
   */
  transfer(p: Principal, attemptId: string, body: { reason: string; roomId?: string; seat?: string }, ip: string): { resumeCode: string; expiresAt: string } {
    const rec = this.visible(p, attemptId);
    if (isFinal(rec.state)) throw new AppError(409, 'SESSION_FINISHED', `the session is ${rec.state.status}`);
    // The new room must be one of the session's own center, and in the caller's scope.
    if (body.roomId && (this.roomCenter(body.roomId) !== rec.centerId || !inScope(scopeOf(p), { centerId: rec.centerId, roomId: body.roomId }))) {
      throw notFound('no such room');
    }
    const code = newResumeCode();
    const now = this.d.now();
    const actor = { type: 'staff' as const, id: p.userId, ip, reason: body.reason };
    const mutate = (r: SessionRecord): SessionRecord => ({
      ...r,
      resumeCodeHash: hashSecret(normalizeResumeCode(code)),
      resumeCodeExpiresAt: now + RESUME_CODE_TTL_MS,
      ...(body.roomId ? { roomId: body.roomId } : {}),
      ...(body.seat ? { seat: body.seat } : {}),
    });
    if (rec.state.status === 'active') {
      this.d.sessions.apply(attemptId, actor, { type: 'pause', by: 'staff', reason: `transfer: ${body.reason}` });
    }
    // Already paused (e.g. the old kiosk died) or just paused: a staff pause, so only the claim revives it.
    const after = this.d.sessions.amend(
      attemptId,
      actor,
      'session.transfer_started',
      (r) => mutate({ ...r, state: r.state.status === 'paused' ? { ...r.state, pauseKind: 'staff', pausedAt: r.state.pausedAt ?? now } : r.state }),
      { toRoomId: body.roomId ?? null, toSeat: body.seat ?? null, codeExpiresAt: iso(now + RESUME_CODE_TTL_MS) },
    );
    this.wrongCodes.delete(attemptId);
    this.instruct(after, 'quit', p, 'Please move to the desk the proctor shows you. Your answers are safe.', body.reason);
    this.d.sessions.publish(after, now, 'session.changed', { action: 'transfer', by: p.userId });
    return { resumeCode: code, expiresAt: iso(now + RESUME_CODE_TTL_MS) };
  }

  /** The candidate on the new desk claims the transfer with the resume code and a new device key. */
  claim(who: CandidateRef, body: { resumeCode: string; devicePublicKey: string; deviceFingerprint?: string; browserInfo?: string }, userAgent: string) {
    this.claimFailuresByIp.check(who.ip);
    const now = this.d.now();
    const pending = this.d.store.listCandidateSessions(who.candidateId).find((r) => r.resumeCodeHash !== null && !isFinal(r.state) && (who.examId === null || r.examId === who.examId));
    const code = normalizeResumeCode(body.resumeCode);
    const ok = pending !== undefined && pending.resumeCodeExpiresAt !== null && pending.resumeCodeExpiresAt > now && secretMatches(code, pending.resumeCodeHash!);
    if (!ok || !pending) {
      this.claimFailuresByIp.fail(who.ip);
      if (pending) {
        const n = (this.wrongCodes.get(pending.attemptId) ?? 0) + 1;
        this.wrongCodes.set(pending.attemptId, n);
        this.d.sessions.alert(pending, { at: now, kind: 'resume_code_failed', severity: 'warning', message: 'a wrong or expired resume code was entered', detail: { ip: who.ip, attempts: n } });
        if (n >= MAX_WRONG_RESUME_CODES) {
          // Too many guesses: the code dies; staff issue a new one.
          this.d.sessions.amend(pending.attemptId, { type: 'system' }, 'session.resume_code_revoked', (r) => ({ ...r, resumeCodeHash: null, resumeCodeExpiresAt: null }), { wrongAttempts: n });
        }
      }
      throw new AppError(403, 'INVALID_RESUME_CODE', 'the resume code is wrong or has expired; ask the proctor for a new one');
    }
    const recoveryToken = newSecret();
    const after = this.d.sessions.apply(
      pending.attemptId,
      { type: 'staff', id: 'transfer', ip: who.ip, reason: 'resume code claimed' },
      { type: 'resume', by: 'staff' },
      {
        needsActivation: true,
        mutate: (r) => ({
          ...r,
          devicePublicKey: body.devicePublicKey,
          deviceFingerprint: body.deviceFingerprint ?? null,
          browserInfo: (body.browserInfo ?? userAgent).slice(0, 1_000),
          ipAddress: who.ip,
          resumeCodeHash: null,
          resumeCodeExpiresAt: null,
          deviceGeneration: r.deviceGeneration + 1,
          recoveryTokenHash: hashSecret(recoveryToken),
          lastSeq: 0,
        }),
      },
    );
    this.d.presence.forget(after.attemptId);
    this.d.presence.touch(after.attemptId, now, 0);
    this.wrongCodes.delete(after.attemptId);
    this.d.store.appendAudit([{ at: now, actorType: 'candidate', actorId: who.candidateId, action: 'session.transfer_claimed', attemptId: after.attemptId, detail: { deviceGeneration: after.deviceGeneration, fingerprint: body.deviceFingerprint ?? null }, ip: who.ip }]);
    return {
      ...this.d.sessions.info(after, now),
      recoveryToken,
      heartbeatIntervalMs: this.d.sessions.policyFor(after.examId).heartbeatIntervalMs,
      serverTime: now,
      answersRestored: this.d.store.answerStats(after.attemptId).count,
    };
  }

  live(rec: SessionRecord & { candidateName?: string }, alertCounts: Map<string, number>): LiveSession {
    const now = this.d.now();
    const seen = Math.max(rec.lastActivityAt, this.d.presence.get(rec.attemptId)?.lastSeenAt ?? 0);
    const silence = this.d.sessions.silenceMsFor(rec.examId);
    return {
      attemptId: rec.attemptId,
      sessionId: rec.sessionId,
      examId: rec.examId,
      candidate: { id: rec.candidateId, name: rec.candidateName ?? '' },
      centerId: rec.centerId,
      roomId: rec.roomId,
      seat: rec.seat,
      status: rec.state.status,
      isLocked: rec.state.isLocked,
      lockReason: rec.state.lockReason,
      pauseKind: rec.state.pauseKind,
      online: !isFinal(rec.state) && now - seen < silence,
      lastHeartbeatAt: seen ? iso(seen) : null,
      secondsSinceHeartbeat: seen ? Math.max(0, Math.floor((now - seen) / 1000)) : null,
      timeRemaining: remainingSeconds(rec.state, now),
      incidentSeconds: Math.floor(rec.incidentMs / 1000),
      device: { fingerprint: rec.deviceFingerprint ?? '', browser: rec.browserInfo, ip: rec.ipAddress, bound: rec.devicePublicKey !== null },
      openAlerts: alertCounts.get(rec.attemptId) ?? 0,
      transferPending: rec.resumeCodeHash !== null,
      startedAt: iso(rec.startedAt),
    };
  }

  room(p: Principal, filter: StaffSessionFilter) {
    const scope = scopeOf(p);
    const counts = this.d.store.openAlertCounts();
    const rows = this.d.store.listSessionsForStaff(filter).filter((r) => inScope(scope, r));
    const sessions = rows.map((r) => this.live(r, counts));
    const tally: Record<string, number> = { active: 0, paused: 0, offline: 0, locked: 0, completed: 0, expired: 0, terminated: 0 };
    for (const s of sessions) {
      tally[s.status] = (tally[s.status] ?? 0) + 1;
      if (s.isLocked) tally.locked = (tally.locked ?? 0) + 1;
      if (s.status === 'active' && !s.online) tally.offline = (tally.offline ?? 0) + 1;
    }
    return { sessions, counts: tally, heartbeatIntervalMs: this.d.config.HEARTBEAT_INTERVAL_MS, serverTime: this.d.now() };
  }

  private alertView(a: AlertRecord): Alert {
    return { ...a, at: iso(a.at), acknowledgedAt: a.acknowledgedAt === null ? null : iso(a.acknowledgedAt) };
  }

  alerts(p: Principal, q: { state?: 'open' | 'acknowledged' | 'all'; attemptId?: string; limit?: number }): { alerts: Alert[] } {
    const scope = scopeOf(p);
    if (q.attemptId) this.visible(p, q.attemptId);
    const rows = this.d.store.listAlerts({ attemptId: q.attemptId, state: q.state ?? 'open', limit: q.limit ?? 100 });
    return { alerts: rows.filter((a) => inScope(scope, a)).map((a) => this.alertView(a)) };
  }

  ackAlert(p: Principal, id: string, ip: string): Alert {
    const a = this.d.store.getAlert(id);
    if (!a || !inScope(scopeOf(p), a)) throw notFound('no such alert');
    const now = this.d.now();
    this.d.store.ackAlert(id, p.userId, now, { at: now, actorType: 'staff', actorId: p.userId, action: 'alert.acknowledged', attemptId: a.attemptId, detail: { alertId: id, kind: a.kind }, ip });
    this.d.bus.publish({ type: 'alert.acknowledged', at: now, attemptId: a.attemptId, centerId: a.centerId, roomId: a.roomId, data: { id, by: p.userId } });
    return this.alertView(this.d.store.getAlert(id)!);
  }

  instructions(p: Principal, attemptId: string) {
    this.visible(p, attemptId);
    return {
      instructions: this.d.store.listInstructions(attemptId).map((i) => ({
        id: i.id,
        type: i.type,
        message: i.message,
        issuedAt: iso(i.issuedAt),
        deliveredAt: i.deliveredAt === null ? null : iso(i.deliveredAt),
        ackedAt: i.ackedAt === null ? null : iso(i.ackedAt),
      })),
    };
  }
}
