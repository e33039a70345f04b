import type { LiveEvent } from '@invigil/contract';

/**
 * Live events for staff (session changes, alerts, presence), delivered to every subscriber of every
 * process. Each event gets an id in publishing order; a subscriber that reconnects with the last id
 * it saw is first sent what it missed (as far as the bus still holds it).
 */
export interface LiveEvents {
  publish(e: LiveEvent): Promise<void>;
  subscribe(listener: (e: LiveEvent, id: string) => void, opts?: { afterId?: string }): Promise<() => void>;
  /** Subscribers on this process. */
  readonly localSubscribers: number;
  /** False only when surely nobody anywhere listens (then presence events are not worth building). */
  mayHaveSubscribers(): boolean;
  close(): Promise<void>;
}
