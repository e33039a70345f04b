import type { InvalidationTopic, Invalidations } from '../../ports/invalidation.ts';

export class MemoryInvalidations implements Invalidations {
  private readonly listeners = new Map<InvalidationTopic, Set<(id: string) => void>>();

  publish(topic: InvalidationTopic, id: string): Promise<void> {
    for (const l of this.listeners.get(topic) ?? []) l(id);
    return Promise.resolve();
  }

  subscribe(topic: InvalidationTopic, listener: (id: string) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
}
