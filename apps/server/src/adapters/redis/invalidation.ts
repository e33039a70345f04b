import type { Redis } from 'ioredis';
import type { InvalidationTopic, Invalidations } from '../../ports/invalidation.ts';
import type { Keys } from './connection.ts';

/** Invalidations over Redis pub/sub, on a connection of its own (a subscriber can do nothing else). */
export class RedisInvalidations implements Invalidations {
  private readonly listeners = new Map<string, Set<(id: string) => void>>();
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly keys: Keys,
  ) {
    sub.on('message', (channel: string, id: string) => {
      for (const l of this.listeners.get(channel) ?? []) l(id);
    });
  }

  private channel(topic: InvalidationTopic): string {
    return this.keys.k('invalidate', topic);
  }

  async publish(topic: InvalidationTopic, id: string): Promise<void> {
    await this.pub.publish(this.channel(topic), id);
  }

  subscribe(topic: InvalidationTopic, listener: (id: string) => void): () => void {
    const channel = this.channel(topic);
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    if (!this.subscribed.has(channel)) {
      this.subscribed.set(
        channel,
        this.sub.subscribe(channel).catch(() => this.subscribed.delete(channel)),
      );
    }
    return () => set.delete(listener);
  }
}
