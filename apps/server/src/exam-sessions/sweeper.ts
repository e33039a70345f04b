import { isSilent, settle, shouldExpire } from '@invigil/core';
import type { Logger } from 'pino';
import type { Database } from '../ports/database.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { SessionRecord } from '../ports/types.ts';
import { decideEvent, type Decision } from './decide-change.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import type { SessionAlert, SessionChanges } from './session-changes.ts';
import { settleIfDue } from './start-service.ts';

const iso = (t: number) => new Date(t).toISOString();

/** A refused transition is not the sweeper's error: somebody changed the session first. */
const quietly = (d: Decision<SessionRecord>): Decision<boolean> => (d.error ? { ...(d.record ? { record: d.record, audit: d.audit } : {}), result: false } : { ...d, result: true });

/**
 * Auto-pauses silent sessions (charging exam time only up to the last heartbeat), completes those
 * whose time ran out and expires stale paused ones. Each condition is checked again inside the
 * session's row-locked transaction, so any number of sweepers (one per process) change each
 * session once, with one audit event.
 */
export class Sweeper {
  constructor(private readonly d: { db: Database; shared: SharedState; now: () => number; log: Logger; catalog: ExamCatalog; changes: SessionChanges }) {}

  async sweep(): Promise<{ autoPaused: number; completed: number; expired: number }> {
    const now = this.d.now();
    let autoPaused = 0;
    let completed = 0;
    let expired = 0;
    const active = await this.d.db.repos.examSessions.listByStatus('active');
    const seen = await this.d.shared.presence.getMany(active.map((r) => r.attemptId));
    for (const rec of active) {
      if (settle(rec.state, now)) {
        if ((await settleIfDue(this.d.changes, rec, now)).state.status === 'completed') completed += 1;
        continue;
      }
      const { silenceMs } = await this.d.catalog.policy(rec.examId);
      const lastSeen = Math.max(rec.lastActivityAt, seen.get(rec.attemptId)?.lastSeenAt ?? 0);
      if (!isSilent(rec.state, lastSeen, now, silenceMs)) continue;
      if (await this.autoPause(rec.attemptId, silenceMs)) autoPaused += 1;
    }
    for (const rec of await this.d.db.repos.examSessions.listByStatus('paused')) {
      const { pausedSessionTtlMs } = await this.d.catalog.policy(rec.examId);
      if (!shouldExpire(rec.state, now, pausedSessionTtlMs)) continue;
      const { result } = await this.d.changes.mutate(rec.attemptId, null, (current) =>
        shouldExpire(current.state, this.d.now(), pausedSessionTtlMs) ? quietly(decideEvent(current, [], { type: 'expire' }, { type: 'system' }, this.d.now())) : { result: false },
      );
      if (result) expired += 1;
    }
    return { autoPaused, completed, expired };
  }

  private async autoPause(attemptId: string, silenceMs: number): Promise<boolean> {
    const { result } = await this.d.changes.mutate(
      attemptId,
      null,
      (current, _others, seenAt: number | undefined) => {
        const now = this.d.now();
        const last = Math.max(current.lastActivityAt, seenAt ?? 0);
        if (!isSilent(current.state, last, now, silenceMs)) return { result: false };
        const alert: SessionAlert = { at: now, kind: 'offline', severity: 'warning', message: `no heartbeat for ${Math.round((now - last) / 1000)} s: session paused`, detail: { lastSeenAt: iso(last) } };
        const d = quietly(decideEvent(current, [], { type: 'auto-pause', lastSeenAt: last }, { type: 'system' }, now));
        return d.result ? { ...d, alerts: [alert] } : d;
      },
      // Presence is read again under the row lock: a heartbeat that arrived meanwhile keeps it active.
      { prepare: async () => (await this.d.shared.presence.get(attemptId))?.lastSeenAt },
    );
    return result;
  }
}
