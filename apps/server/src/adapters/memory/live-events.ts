import type { LiveEvent } from '@invigil/contract';
import type { LiveEvents } from '../../ports/live-events.ts';

type Listener = (e: LiveEvent, id: string) => void;

/**
 * The live-event bus of one process. Ids count up from a per-start epoch, so an id from before a
 * restart is recognised as foreign (nothing to replay). The last `keep` events are kept for replay.
 */
export class MemoryLiveEvents implements LiveEvents {
  private readonly listeners = new Set<Listener>();
  private readonly recent: { id: string; n: number; e: LiveEvent }[] = [];
  private n = 0;
  private readonly epoch: string;

  constructor(
    epoch: number,
    private readonly keep = 1_000,
  ) {
    this.epoch = epoch.toString(36);
  }

  publish(e: LiveEvent): Promise<void> {
    const n = ++this.n;
    const id = `${this.epoch}-${n}`;
    this.recent.push({ id, n, e });
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    for (const l of this.listeners) {
      try {
        l(e, id);
      } catch {
        /* a broken subscriber never breaks the publisher */
      }
    }
    return Promise.resolve();
  }

  subscribe(listener: Listener, opts: { afterId?: string } = {}): Promise<() => void> {
    const after = this.sequenceOf(opts.afterId);
    if (after !== null) for (const r of this.recent) if (r.n > after) listener(r.e, r.id);
    this.listeners.add(listener);
    return Promise.resolve(() => this.listeners.delete(listener));
  }

  /** The sequence number of an id of this bus, or null when it is not one (another start, garbage). */
  private sequenceOf(id: string | undefined): number | null {
    if (!id) return null;
    const [epoch, n] = id.split('-');
    return epoch === this.epoch && n !== undefined && /^\d+$/.test(n) ? Number(n) : null;
  }

  get localSubscribers(): number {
    return this.listeners.size;
  }

  mayHaveSubscribers(): boolean {
    return this.listeners.size > 0;
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }
}
