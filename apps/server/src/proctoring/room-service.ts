import type { LiveSession } from '@invigil/contract';
import { isOnline, remainingSeconds } from '@invigil/core';
import type { Config } from '../config.ts';
import type { ExamCatalog } from '../exam-sessions/exam-catalog.ts';
import type { Database } from '../ports/database.ts';
import { notFound } from '../ports/errors.ts';
import type { PresenceEntry } from '../ports/presence.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { Principal, SessionRecord, StaffSessionFilter, StaffSessionRecord } from '../ports/types.ts';
import { inScope, scopeOf } from './scope.ts';

const iso = (t: number) => new Date(t).toISOString();
/** Most sessions one live-room answer carries; `truncated` says when the scope holds more. */
export const MAX_ROOM = 5_000;

export interface RoomDeps {
  db: Database;
  shared: SharedState;
  config: Config;
  now: () => number;
  catalog: ExamCatalog;
}

/** The live room: every session in the caller's scope, with presence, time left and open alerts. */
export class RoomService {
  constructor(private readonly d: RoomDeps) {}

  /** The session if this staff member may see it; 404 otherwise, exactly like an unknown id. */
  async visible(p: Principal, attemptId: string): Promise<SessionRecord> {
    const rec = await this.d.db.repos.examSessions.get(attemptId);
    if (!rec || !inScope(scopeOf(p), rec)) throw notFound('no such exam session');
    return rec;
  }

  async live(rec: SessionRecord & Partial<Pick<StaffSessionRecord, 'candidateName' | 'plannedExtraMinutes' | 'restBreakMinutes'>>, alertCounts: Map<string, number>, presence?: PresenceEntry, stats?: Map<string, { count: number; lastSavedAt: number | null }>): Promise<LiveSession> {
    const now = this.d.now();
    const exam = await this.d.catalog.get(rec.examId);
    const saved = stats ? stats.get(rec.attemptId) : (await this.d.db.repos.roomOps.answerStats([rec.attemptId])).get(rec.attemptId);
    const seen = Math.max(rec.lastActivityAt, (presence ?? (await this.d.shared.presence.get(rec.attemptId)))?.lastSeenAt ?? 0);
    const { silenceMs } = await this.d.catalog.policy(rec.examId);
    const extraSeconds = exam ? Math.max(0, Math.round((rec.state.allowedMs - exam.durationMinutes * 60_000) / 1000)) : 0;
    const planned = rec.plannedExtraMinutes ?? 0;
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
      online: isOnline(rec.state.status, seen || null, now, silenceMs),
      offlineAfterMs: silenceMs,
      lastHeartbeatAt: seen ? iso(seen) : null,
      secondsSinceHeartbeat: seen ? Math.max(0, Math.floor((now - seen) / 1000)) : null,
      timeRemaining: remainingSeconds(rec.state, now),
      incidentSeconds: Math.floor(rec.state.incidentMs / 1000),
      device: { fingerprint: rec.deviceFingerprint ?? '', browser: rec.browserInfo, ip: rec.ipAddress, bound: rec.devicePublicKey !== null },
      openAlerts: alertCounts.get(rec.attemptId) ?? 0,
      transferPending: rec.resumeCodeHash !== null,
      startedAt: iso(rec.startedAt),
      progress: { answered: saved?.count ?? 0, total: exam?.questions.length ?? 0, lastSaveAt: saved?.lastSavedAt ? iso(saved.lastSavedAt) : null },
      extraSeconds,
      accommodations: { plannedExtraMinutes: planned, restBreakMinutes: rec.restBreakMinutes ?? 0, extensionSeconds: Math.max(0, extraSeconds - planned * 60) },
    };
  }

  async liveOne(rec: SessionRecord): Promise<LiveSession> {
    const [reg, counts] = await Promise.all([this.d.db.repos.registrations.get(rec.examId, rec.candidateId), this.d.db.repos.alerts.openCounts()]);
    return this.live({ ...rec, candidateName: reg?.name ?? '', plannedExtraMinutes: reg?.extraTimeMinutes ?? 0, restBreakMinutes: reg?.restBreakMinutes ?? 0 }, counts);
  }

  async room(p: Principal, filter: StaffSessionFilter) {
    const scope = scopeOf(p);
    // Scoped in the query, then limited: another center's sessions never crowd out the caller's.
    const [counts, found] = await Promise.all([this.d.db.repos.alerts.openCounts(), this.d.db.repos.examSessions.listForStaff({ ...filter, places: scope, limit: MAX_ROOM + 1 })]);
    const rows = found.slice(0, MAX_ROOM);
    const [presence, stats] = await Promise.all([this.d.shared.presence.getMany(rows.map((r) => r.attemptId)), this.d.db.repos.roomOps.answerStats(rows.map((r) => r.attemptId))]);
    const sessions = await Promise.all(rows.map((r) => this.live(r, counts, presence.get(r.attemptId) ?? { lastSeenAt: 0, seq: 0 }, stats)));
    const tally: Record<string, number> = { active: 0, paused: 0, offline: 0, locked: 0, completed: 0, expired: 0, terminated: 0 };
    for (const s of sessions) {
      tally[s.status] = (tally[s.status] ?? 0) + 1;
      if (s.isLocked) tally.locked = (tally.locked ?? 0) + 1;
      if (s.status === 'active' && !s.online) tally.offline = (tally.offline ?? 0) + 1;
    }
    return {
      sessions,
      counts: tally,
      heartbeatIntervalMs: this.d.config.HEARTBEAT_INTERVAL_MS,
      missedHeartbeatsBeforePause: this.d.config.MISSED_HEARTBEATS_BEFORE_PAUSE,
      serverTime: this.d.now(),
      truncated: found.length > MAX_ROOM,
    };
  }

  async instructions(p: Principal, attemptId: string) {
    await this.visible(p, attemptId);
    const list = await this.d.db.repos.instructions.list(attemptId);
    return {
      instructions: list.map((i) => ({
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
