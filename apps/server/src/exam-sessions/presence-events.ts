import type { LiveEvents } from '../ports/live-events.ts';
import type { SessionRecord } from '../ports/types.ts';

const iso = (t: number) => new Date(t).toISOString();

/**
 * Heartbeats are not sent to staff one by one: they are grouped per center and room and published
 * as one `presence` event per group about once a second (by the presence flusher).
 */
export class PresenceEvents {
  private groups = new Map<string, { centerId: string | null; roomId: string | null; seen: Map<string, number> }>();

  constructor(private readonly events: LiveEvents) {}

  note(rec: Pick<SessionRecord, 'attemptId' | 'centerId' | 'roomId'>, at: number): void {
    if (!this.events.mayHaveSubscribers()) return; // nobody is watching
    const key = `${rec.centerId ?? ''}/${rec.roomId ?? ''}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { centerId: rec.centerId, roomId: rec.roomId, seen: new Map() }));
    g.seen.set(rec.attemptId, at);
  }

  /** Publishes what was noted since the last call; answers how many heartbeats it carried. */
  async publish(now: number): Promise<number> {
    const groups = this.groups;
    this.groups = new Map();
    let n = 0;
    for (const g of groups.values()) {
      const seen: Record<string, string> = {};
      for (const [id, t] of g.seen) seen[id] = iso(t);
      n += g.seen.size;
      await this.events.publish({ type: 'presence', at: iso(now), centerId: g.centerId, roomId: g.roomId, data: { seen } });
    }
    return n;
  }
}
