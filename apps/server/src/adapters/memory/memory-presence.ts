import type { Presence, PresenceEntry } from '../../ports/presence.ts';

interface Entry extends PresenceEntry {
  beats: number;
}

/** Single-process presence. Check-and-set is atomic because it never awaits. */
export class MemoryPresence implements Presence {
  private readonly entries = new Map<string, Entry>();
  private readonly dirty = new Set<string>();

  private entry(attemptId: string, floorSeq: number, at: number): Entry {
    let e = this.entries.get(attemptId);
    if (!e) {
      e = { lastSeenAt: at, seq: floorSeq, beats: 0 };
      this.entries.set(attemptId, e);
    } else if (floorSeq > e.seq) {
      e.seq = floorSeq;
    }
    return e;
  }

  advance(attemptId: string, seq: number, at: number, floorSeq: number): boolean {
    const e = this.entry(attemptId, floorSeq, at);
    if (seq <= e.seq) return false;
    e.seq = seq;
    e.lastSeenAt = Math.max(e.lastSeenAt, at);
    e.beats += 1;
    this.dirty.add(attemptId);
    return true;
  }

  touch(attemptId: string, at: number, floorSeq: number): void {
    const e = this.entry(attemptId, floorSeq, at);
    e.lastSeenAt = Math.max(e.lastSeenAt, at);
    this.dirty.add(attemptId);
  }

  get(attemptId: string): PresenceEntry | undefined {
    const e = this.entries.get(attemptId);
    return e && { lastSeenAt: e.lastSeenAt, seq: e.seq };
  }

  forget(attemptId: string): void {
    this.entries.delete(attemptId);
    this.dirty.delete(attemptId);
  }

  drainDirty() {
    const out = [];
    for (const id of this.dirty) {
      const e = this.entries.get(id);
      if (e) {
        out.push({ attemptId: id, lastSeenAt: e.lastSeenAt, seq: e.seq, beats: e.beats });
        e.beats = 0;
      }
    }
    this.dirty.clear();
    return out;
  }
}
