import type { CopyCheck } from '../ports/stamps.ts';
import type { Presence } from '../ports/presence.ts';

/** What decides when a session is next due, as last known here. */
export interface DueEntry {
  /** Time up (running) or expiry (paused); Infinity when neither can happen. */
  fixedAt: number;
  /** Infinity when the session cannot go silent (paused, locked). */
  silenceMs: number;
  lastSeenAt: number;
}

const SLOT_MS = 1_000;
const dueOf = (e: DueEntry) => Math.min(e.fixedAt, e.lastSeenAt + e.silenceMs);

/**
 * When each live session is next due for the sweeper, kept in one-second slots, so a pass with
 * nothing due looks at nothing. Only a hint: every session it names is checked again against the
 * database (under the row lock when anything changes), and what the hint does not know is found by
 * the sweeper's periodic full scan. A heartbeat only moves a deadline later (the entry is then early,
 * re-checked and moved when reached); every other change made through this process (a pause makes
 * the paused-session TTL the deadline, maybe sooner) has the session looked at again on the next pass.
 */
export class DueSessions {
  private entries = new Map<string, DueEntry & { slot: number }>();
  private slots = new Map<number, Set<string>>();
  /** Sessions heard of here without an entry (started, resumed or claimed here): checked next pass. */
  private fresh = new Set<string>();
  private cursor: number;

  constructor(now: number) {
    this.cursor = Math.floor(now / SLOT_MS);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Sets what is known of a session (after the sweeper read it). */
  track(attemptId: string, e: DueEntry): void {
    const due = dueOf(e);
    if (!Number.isFinite(due)) {
      this.untrack(attemptId);
      return;
    }
    const prev = this.entries.get(attemptId);
    const entry = { ...e, lastSeenAt: Math.max(e.lastSeenAt, prev?.lastSeenAt ?? -Infinity), slot: -1 };
    this.entries.set(attemptId, entry);
    this.place(attemptId, entry);
  }

  untrack(attemptId: string): void {
    this.entries.delete(attemptId);
    this.fresh.delete(attemptId);
  }

  /** A sign of life: moves the silence deadline (lazily: the entry's slot is fixed when reached). */
  seen(attemptId: string, at: number): void {
    const e = this.entries.get(attemptId);
    if (e) e.lastSeenAt = Math.max(e.lastSeenAt, at);
    else this.fresh.add(attemptId);
  }

  /** Something changed that the entry may not reflect: check it next pass. */
  recheck(attemptId: string): void {
    this.fresh.add(attemptId);
  }

  /** The sessions due at `now` (and those to check afresh); each is taken out until tracked again. */
  takeDue(now: number): string[] {
    const out = [...this.fresh];
    this.fresh.clear();
    for (const id of out) this.entries.delete(id);
    const upTo = Math.floor(now / SLOT_MS);
    for (let slot = this.cursor; slot <= upTo; slot++) {
      const ids = this.slots.get(slot);
      if (!ids) continue;
      this.slots.delete(slot);
      for (const id of ids) {
        const e = this.entries.get(id);
        if (!e || e.slot !== slot) continue; // moved or gone
        if (dueOf(e) <= now) {
          this.entries.delete(id);
          out.push(id);
        } else {
          this.place(id, e);
        }
      }
    }
    this.cursor = upTo;
    return out;
  }

  private place(attemptId: string, e: DueEntry & { slot: number }): void {
    const slot = Math.max(this.cursor, Math.floor(dueOf(e) / SLOT_MS));
    e.slot = slot;
    let ids = this.slots.get(slot);
    if (!ids) this.slots.set(slot, (ids = new Set()));
    ids.add(attemptId);
  }
}

/** The presence port, telling the due index of every sign of life written through this process. */
export function noteInto(presence: Presence, due: DueSessions): Presence {
  return {
    advance: async (attemptId, seq, at, floorSeq) => {
      const ok = await presence.advance(attemptId, seq, at, floorSeq);
      if (ok) due.seen(attemptId, at);
      return ok;
    },
    ...(presence.advanceIfCurrent
      ? {
          advanceIfCurrent: async (attemptId: string, seq: number, at: number, floorSeq: number, checks: readonly CopyCheck[]) => {
            const r = await presence.advanceIfCurrent!(attemptId, seq, at, floorSeq, checks);
            if (r.outcome === 'taken') due.seen(attemptId, at);
            return r;
          },
        }
      : {}),
    touch: async (attemptId, at, floorSeq) => {
      await presence.touch(attemptId, at, floorSeq);
      due.seen(attemptId, at);
    },
    get: (attemptId) => presence.get(attemptId),
    getMany: (attemptIds) => presence.getMany(attemptIds),
    forget: async (attemptId) => {
      await presence.forget(attemptId);
      // Ended, or bound to a new device (transfer): the next pass reads which.
      due.recheck(attemptId);
    },
    drainDirty: () => presence.drainDirty(),
  };
}
