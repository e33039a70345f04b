import type { Redis } from 'ioredis';
import type { Invalidations } from '../../ports/invalidation.ts';
import type { Keys } from './connection.ts';

/** Invalidations over Redis pub/sub, on a connection of its own (a subscriber can do nothing else). */
export class RedisInvalidations implements Invalidations {
  private readonly listeners = new Set<(id: string) => void>();
  private subscribed: Promise<unknown> | null = null;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly keys: Keys,
  ) {
    sub.on('message', (channel: string, id: string) => {
      if (channel !== this.channel) return;
      for (const l of this.listeners) l(id);
    });
  }

  private get channel(): string {
    return this.keys.k('invalidate', 'exam');
  }

  async publish(_topic: 'exam', id: string): Promise<void> {
    await this.pub.publish(this.channel, id);
  }

  subscribe(_topic: 'exam', listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    this.subscribed ??= this.sub.subscribe(this.channel).catch(() => (this.subscribed = null));
    return () => this.listeners.delete(listener);
  }
}
