import type { Invalidations } from '../../ports/invalidation.ts';

export class MemoryInvalidations implements Invalidations {
  private readonly listeners = new Set<(id: string) => void>();

  publish(_topic: 'exam', id: string): Promise<void> {
    for (const l of this.listeners) l(id);
    return Promise.resolve();
  }

  subscribe(_topic: 'exam', listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
