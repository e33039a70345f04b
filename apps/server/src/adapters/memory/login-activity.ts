import type { LoginActivity } from '../../ports/login-activity.ts';

export class MemoryLoginActivity implements LoginActivity {
  private readonly seen = new Map<string, number>();
  private readonly dirty = new Set<string>();

  touch(sessionId: string, at: number): Promise<void> {
    if ((this.seen.get(sessionId) ?? 0) < at) this.seen.set(sessionId, at);
    this.dirty.add(sessionId);
    return Promise.resolve();
  }

  touchIfAfter(sessionId: string, at: number, after: number | null): Promise<number | undefined> {
    const seen = this.seen.get(sessionId);
    if (after === null || (seen !== undefined && seen > after)) void this.touch(sessionId, at);
    return Promise.resolve(seen);
  }

  lastSeen(sessionIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of sessionIds) {
      const t = this.seen.get(id);
      if (t !== undefined) out.set(id, t);
    }
    return Promise.resolve(out);
  }

  drain(): Promise<{ id: string; lastActivity: number }[]> {
    const out = [...this.dirty].map((id) => ({ id, lastActivity: this.seen.get(id)! }));
    this.dirty.clear();
    // Once flushed, the database holds it: memory keeps only what is newer than the last flush.
    for (const { id } of out) this.seen.delete(id);
    return Promise.resolve(out);
  }
}
