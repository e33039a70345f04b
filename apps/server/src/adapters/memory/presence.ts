import type { Presence, PresenceEntry } from '../../ports/presence.ts';
import type { PresenceFlush } from '../../ports/types.ts';

interface Entry extends PresenceEntry {
  beats: number;
}

/** Presence of one process. The seq check-and-set is atomic because nothing awaits inside it. */
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

  advanceSync(attemptId: string, seq: number, at: number, floorSeq: number): boolean {
    const e = this.entry(attemptId, floorSeq, at);
    if (seq <= e.seq) return false;
    e.seq = seq;
    e.lastSeenAt = Math.max(e.lastSeenAt, at);
    e.beats += 1;
    this.dirty.add(attemptId);
    return true;
  }

  advance(attemptId: string, seq: number, at: number, floorSeq: number): Promise<boolean> {
    return Promise.resolve(this.advanceSync(attemptId, seq, at, floorSeq));
  }

  touch(attemptId: string, at: number, floorSeq: number): Promise<void> {
    const e = this.entry(attemptId, floorSeq, at);
    e.lastSeenAt = Math.max(e.lastSeenAt, at);
    this.dirty.add(attemptId);
    return Promise.resolve();
  }

  get(attemptId: string): Promise<PresenceEntry | undefined> {
    const e = this.entries.get(attemptId);
    return Promise.resolve(e && { lastSeenAt: e.lastSeenAt, seq: e.seq });
  }

  getMany(attemptIds: readonly string[]): Promise<Map<string, PresenceEntry>> {
    const out = new Map<string, PresenceEntry>();
    for (const id of attemptIds) {
      const e = this.entries.get(id);
      if (e) out.set(id, { lastSeenAt: e.lastSeenAt, seq: e.seq });
    }
    return Promise.resolve(out);
  }

  forget(attemptId: string): Promise<void> {
    this.entries.delete(attemptId);
    this.dirty.delete(attemptId);
    return Promise.resolve();
  }

  drainDirty(): Promise<PresenceFlush[]> {
    const out: PresenceFlush[] = [];
    for (const id of this.dirty) {
      const e = this.entries.get(id);
      if (e) {
        out.push({ attemptId: id, lastSeenAt: e.lastSeenAt, seq: e.seq, beats: e.beats });
        e.beats = 0;
      }
    }
    this.dirty.clear();
    return Promise.resolve(out);
  }
}
