import { isSilent, nextDueAt, settle, shouldExpire } from '@invigil/core';
import type { Logger } from 'pino';
import type { Database } from '../ports/database.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { SessionRecord } from '../ports/types.ts';
import { decideEvent, type Decision } from './decide-change.ts';
import type { DueSessions } from './due-sessions.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import type { SessionAlert, SessionChanges } from './session-changes.ts';
import { settleIfDue } from './start-service.ts';

const iso = (t: number) => new Date(t).toISOString();

/** A refused transition is not the sweeper's error: somebody changed the session first. */
const quietly = (d: Decision<SessionRecord>): Decision<boolean> => (d.error ? { ...(d.record ? { record: d.record, audit: d.audit } : {}), result: false } : { ...d, result: true });

/** How often every live session is read from the database to find what this process has not heard of. */
export const FULL_SCAN_MS = 60_000;
const SCAN_PAGE = 500;

export interface SweepResult {
  autoPaused: number;
  completed: number;
  expired: number;
  /** Sessions looked at in this pass (due, or heard of and not yet known). */
  examined: number;
  /** Whether this pass read every live session (at start, then every FULL_SCAN_MS). */
  fullScan: boolean;
}

/**
 * Auto-pauses silent sessions (charging exam time only up to the last heartbeat), completes those
 * whose time ran out and expires stale paused ones. Each condition is checked again inside the
 * session's row-locked transaction, so any number of sweepers (one per process) change each
 * session once, with one audit event.
 *
 * A pass looks only at the sessions due (the `DueSessions` index: time up, silence threshold,
 * paused TTL), so a pass with nothing due costs next to nothing whatever the number of live
 * sessions. Every FULL_SCAN_MS (and on the first pass) it reads every live session, to learn of
 * those started or changed by other processes.
 */
export class Sweeper {
  private scannedAt = -Infinity;

  constructor(private readonly d: { db: Database; shared: SharedState; now: () => number; log: Logger; catalog: ExamCatalog; changes: SessionChanges; due: DueSessions; fullScanMs?: number }) {}

  async sweep(): Promise<SweepResult> {
    const now = this.d.now();
    const r: SweepResult = { autoPaused: 0, completed: 0, expired: 0, examined: 0, fullScan: false };
    if (now - this.scannedAt >= (this.d.fullScanMs ?? FULL_SCAN_MS) || now < this.scannedAt) {
      await this.fullScan(now);
      r.fullScan = true;
    }
    for (const attemptId of this.d.due.takeDue(now)) {
      r.examined += 1;
      const rec = await this.d.db.repos.examSessions.get(attemptId);
      if (!rec) continue;
      const after = await this.examine(rec, now, r);
      await this.track(after);
    }
    return r;
  }

  /** Reads every live session and (re)tracks it; what ended elsewhere is dropped. */
  private async fullScan(now: number): Promise<void> {
    this.scannedAt = now;
    // In pages, so requests get their turn between them (one SQLite connection serves both).
    for (const status of ['active', 'paused'] as const) {
      for (let after: string | null = null; ; ) {
        const page = await this.d.db.repos.examSessions.listByStatusPage(status, after, SCAN_PAGE);
        if (page.length === 0) break;
        const seen = status === 'active' ? await this.d.shared.presence.getMany(page.map((x) => x.attemptId)) : new Map<string, { lastSeenAt: number }>();
        for (const rec of page) await this.track(rec, seen.get(rec.attemptId)?.lastSeenAt);
        after = page[page.length - 1]!.attemptId;
        await new Promise((r) => setImmediate(r));
      }
    }
  }

  private async track(rec: SessionRecord, seenAt?: number): Promise<void> {
    const { silenceMs, pausedSessionTtlMs } = await this.d.catalog.policy(rec.examId);
    const lastSeen = Math.max(rec.lastActivityAt, seenAt ?? 0);
    const due = nextDueAt(rec.state, lastSeen, silenceMs, pausedSessionTtlMs);
    if (due === null) {
      this.d.due.untrack(rec.attemptId);
      return;
    }
    const fixedAt = rec.state.status === 'paused' ? due : nextDueAt(rec.state, Infinity, Infinity, pausedSessionTtlMs) ?? Infinity;
    this.d.due.track(rec.attemptId, { fixedAt, silenceMs: rec.state.status === 'active' ? silenceMs : Infinity, lastSeenAt: lastSeen });
  }

  /** Does what is due to one session; answers the session as it is afterwards. */
  private async examine(rec: SessionRecord, now: number, r: SweepResult): Promise<SessionRecord> {
    if (rec.state.status === 'active') {
      if (settle(rec.state, now)) {
        const after = await settleIfDue(this.d.changes, rec, now);
        if (after.state.status === 'completed') r.completed += 1;
        return after;
      }
      const { silenceMs } = await this.d.catalog.policy(rec.examId);
      const lastSeen = Math.max(rec.lastActivityAt, (await this.d.shared.presence.get(rec.attemptId))?.lastSeenAt ?? 0);
      if (!isSilent(rec.state, lastSeen, now, silenceMs)) return { ...rec, lastActivityAt: lastSeen };
      const { result, record } = await this.autoPause(rec.attemptId, silenceMs);
      if (result) r.autoPaused += 1;
      return record;
    }
    if (rec.state.status === 'paused') {
      const { pausedSessionTtlMs } = await this.d.catalog.policy(rec.examId);
      if (!shouldExpire(rec.state, now, pausedSessionTtlMs)) return rec;
      const { result, record } = await this.d.changes.mutate(rec.attemptId, null, (current) =>
        shouldExpire(current.state, this.d.now(), pausedSessionTtlMs) ? quietly(decideEvent(current, [], { type: 'expire' }, { type: 'system' }, this.d.now())) : { result: false },
      );
      if (result) r.expired += 1;
      return record;
    }
    return rec;
  }

  private async autoPause(attemptId: string, silenceMs: number): Promise<{ result: boolean; record: SessionRecord }> {
    return this.d.changes.mutate(
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
  }
}
