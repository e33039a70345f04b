import { creditOutage, settle } from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../ports/database.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { AuditEntry } from '../ports/types.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import type { SessionChanges } from './session-changes.ts';

const iso = (t: number) => new Date(t).toISOString();
/** The settings key every instance writes while it runs (`{ at }`: the latest moment it was alive). */
export const ALIVE_KEY = 'server.aliveAt';

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export interface OutageOutcome {
  outage: boolean;
  downFrom: number | null;
  downUntil: number | null;
  credited: number;
  alerts: number;
}

/**
 * An outage of the server itself. Every instance records when it was last alive; a start that finds
 * that moment older than a heartbeat interval (no instance ran meanwhile) knows the server was down,
 * and every session that was running when it went down looks silent only because of that. Such a
 * session is settled fairly: its clock is charged up to the outage and runs again from the restart
 * (core `creditOutage`), and its silence window starts afresh, so the sweeper does not auto-pause it
 * before its kiosk had a chance to reconnect. Staff get ONE grouped alert per centre and room, not
 * one per candidate.
 */
export class OutageSettler {
  constructor(private readonly d: { db: Database; shared: SharedState; now: () => number; log: Logger; catalog: ExamCatalog; changes: SessionChanges; heartbeatIntervalMs: number }) {}

  /** Records that this instance is alive now (a job runs it every few seconds, and at stop). */
  async alive(): Promise<void> {
    const now = this.d.now();
    await this.d.db.repos.settings.put(ALIVE_KEY, { at: now }, 'system', now);
  }

  /** Run once at start, before the server accepts requests. */
  async settleAtStart(): Promise<OutageOutcome> {
    const bootAt = this.d.now();
    const last = (await this.d.db.repos.settings.get(ALIVE_KEY)) as { at?: unknown } | undefined;
    await this.alive();
    const none: OutageOutcome = { outage: false, downFrom: null, downUntil: null, credited: 0, alerts: 0 };
    if (!last || typeof last.at !== 'number' || bootAt - last.at < this.d.heartbeatIntervalMs) return none;
    const active = await this.d.db.repos.examSessions.listByStatus('active');
    const seen = await this.d.shared.presence.getMany(active.map((r) => r.attemptId));
    const lastSeen = new Map(active.map((r) => [r.attemptId, Math.max(r.lastActivityAt, seen.get(r.attemptId)?.lastSeenAt ?? 0)]));
    // The server was up at least until it last said so, and until the last heartbeat it took.
    const downFrom = Math.min(bootAt, Math.max(last.at, ...lastSeen.values()));
    const groups = new Map<string, { centerId: string | null; roomId: string | null; examIds: Set<string>; attemptIds: string[] }>();
    let credited = 0;
    for (const rec of active) {
      const { silenceMs } = await this.d.catalog.policy(rec.examId);
      // Silent already before the outage: the sweeper's business, as any silent session.
      if ((lastSeen.get(rec.attemptId) ?? 0) < downFrom - silenceMs) continue;
      const { changed } = await this.d.changes.mutate(rec.attemptId, null, (current) => {
        if (current.state.status !== 'active' || settle(current.state, downFrom)) return { result: null };
        const state = creditOutage(current.state, downFrom, bootAt);
        if (state === current.state) return { result: null };
        const audit: AuditEntry = { at: bootAt, actorType: 'system', actorId: null, action: 'session.outage_credited', attemptId: current.attemptId, detail: { downFrom: iso(downFrom), downUntil: iso(bootAt), creditedMs: bootAt - downFrom } };
        return { record: { ...current, state, lastActivityAt: bootAt }, audit: [audit], result: null };
      });
      if (!changed) continue;
      credited += 1;
      const key = `${rec.centerId ?? ''}|${rec.roomId ?? ''}`;
      const g = groups.get(key) ?? { centerId: rec.centerId, roomId: rec.roomId, examIds: new Set<string>(), attemptIds: [] };
      g.examIds.add(rec.examId);
      g.attemptIds.push(rec.attemptId);
      groups.set(key, g);
    }
    // Several instances starting together after one outage raise its alerts once.
    let alerts = 0;
    if (groups.size > 0 && (await this.d.shared.throttle.take(`outage:${last.at}`, 3_600_000, bootAt))) {
      for (const g of groups.values()) {
        const id = randomUUID();
        const message = `The server was down for ${duration(bootAt - downFrom)} (${iso(downFrom)} – ${iso(bootAt)}). ${g.attemptIds.length} running session${g.attemptIds.length === 1 ? '' : 's'} kept their time: the outage is not charged; kiosks reconnect by themselves.`;
        const examId = g.examIds.size === 1 ? [...g.examIds][0]! : null;
        await this.d.db.repos.alerts.raise({ id, at: bootAt, attemptId: null, candidateId: null, examId, centerId: g.centerId, roomId: g.roomId, kind: 'server_outage', severity: 'critical', message, detail: { downFrom: iso(downFrom), downUntil: iso(bootAt), sessions: g.attemptIds.length, attemptIds: g.attemptIds.slice(0, 100) } });
        alerts += 1;
        await this.d.changes.publishEvent({ type: 'alert', at: iso(bootAt), attemptId: null, candidateId: null, examId, centerId: g.centerId, roomId: g.roomId, data: { id, kind: 'server_outage', severity: 'critical', message, count: 1 } });
      }
    }
    this.d.log.warn({ downFrom: iso(downFrom), downUntil: iso(bootAt), credited, alerts }, 'the server was down: running sessions were not charged the outage');
    return { outage: true, downFrom, downUntil: bootAt, credited, alerts };
  }
}
