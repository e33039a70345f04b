import type { Alert } from '@invigil/contract';
import type { SessionChanges } from '../exam-sessions/session-changes.ts';
import type { Database } from '../ports/database.ts';
import { isFinal } from '@invigil/core';
import { notFound, NotFoundError } from '../ports/errors.ts';
import type { AlertRecord, Principal } from '../ports/types.ts';
import type { RoomService } from './room-service.ts';
import { inScope, scopeOf } from './scope.ts';

const iso = (t: number) => new Date(t).toISOString();
const alertView = ({ lastAt, ...a }: AlertRecord): Alert => ({ ...a, at: iso(a.at), lastSeenAt: iso(lastAt), acknowledgedAt: a.acknowledgedAt === null ? null : iso(a.acknowledgedAt) });
const DEFAULT_PAGE = 100;

/** Alerts in the caller's scope, and acknowledging them. */
export class AlertsService {
  constructor(private readonly d: { db: Database; now: () => number; room: RoomService; changes: SessionChanges }) {}

  /** A page of alerts in the caller's scope: scoped in the query, then limited (another center's flood hides nothing). */
  async list(p: Principal, q: { state?: 'open' | 'acknowledged' | 'all'; attemptId?: string; limit?: number; cursor?: { at: number; id: string } }): Promise<{ alerts: Alert[]; nextCursor: string | null }> {
    const scope = scopeOf(p);
    if (q.attemptId) await this.d.room.visible(p, q.attemptId);
    const limit = q.limit ?? DEFAULT_PAGE;
    const rows = await this.d.db.repos.alerts.list({ attemptId: q.attemptId, state: q.state ?? 'open', places: scope, before: q.cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { alerts: page.map(alertView), nextCursor: rows.length > limit && last ? `${last.at}.${last.id}` : null };
  }

  async ack(p: Principal, id: string, ip: string): Promise<Alert> {
    const now = this.d.now();
    let first = false;
    const a = await this.d.db.tx(async (r) => {
      const a = await r.alerts.get(id);
      if (!a || !inScope(scopeOf(p), a)) return undefined;
      if (await r.alerts.ack(id, p.userId, now)) {
        first = true;
        await r.audit.append([{ at: now, actorType: 'staff', actorId: p.userId, action: 'alert.acknowledged', attemptId: a.attemptId, detail: { alertId: id, kind: a.kind }, ip }]);
      }
      return r.alerts.get(id);
    });
    if (!a) throw notFound('no such alert');
    // A raised hand seen by a proctor: the candidate's kiosk is told (once), unless the session is over.
    if (first && a.kind === 'help_requested' && a.attemptId) await this.tellHelpSeen(a.attemptId, p.userId);
    await this.d.changes.publishEvent({ type: 'alert.acknowledged', at: iso(now), attemptId: a.attemptId, centerId: a.centerId, roomId: a.roomId, data: { id, by: a.acknowledgedBy ?? p.userId } });
    return alertView(a);
  }

  private async tellHelpSeen(attemptId: string, by: string): Promise<void> {
    try {
      await this.d.changes.mutate(attemptId, null, (current) => (isFinal(current.state) ? { result: undefined } : { result: undefined, instructions: [{ type: 'help_seen', message: null, issuedBy: by, reason: null }] }), { flushAnswers: false });
    } catch (e) {
      // The alert is acknowledged whatever happens to the kiosk's notice (say the session is gone).
      if (!(e instanceof NotFoundError)) throw e;
    }
  }

  /** Acknowledges many alerts in one transaction, each audited; alerts outside the caller's scope count as not found. */
  async ackMany(p: Principal, ids: string[], ip: string): Promise<{ acknowledged: number; alreadyAcknowledged: number; notFound: number }> {
    const now = this.d.now();
    const scope = scopeOf(p);
    const done: AlertRecord[] = [];
    let already = 0;
    let missing = 0;
    await this.d.db.tx(async (r) => {
      for (const id of [...new Set(ids)]) {
        const a = await r.alerts.get(id);
        if (!a || !inScope(scope, a)) {
          missing += 1;
          continue;
        }
        if (!(await r.alerts.ack(id, p.userId, now))) {
          already += 1;
          continue;
        }
        done.push(a);
        await r.audit.append([{ at: now, actorType: 'staff', actorId: p.userId, action: 'alert.acknowledged', attemptId: a.attemptId, detail: { alertId: id, kind: a.kind, bulk: true }, ip }]);
      }
    });
    for (const a of done) if (a.kind === 'help_requested' && a.attemptId) await this.tellHelpSeen(a.attemptId, p.userId);
    for (const a of done) await this.d.changes.publishEvent({ type: 'alert.acknowledged', at: iso(now), attemptId: a.attemptId, centerId: a.centerId, roomId: a.roomId, data: { id: a.id, by: p.userId } });
    return { acknowledged: done.length, alreadyAcknowledged: already, notFound: missing };
  }
}
