import type { InstructionHints } from './instruction-hints.ts';
import type { Invalidations } from './invalidation.ts';
import type { LimiterFactory } from './limiter.ts';
import type { LiveEvents } from './live-events.ts';
import type { LoginActivity } from './login-activity.ts';
import type { Presence } from './presence.ts';
import type { Stamps } from './stamps.ts';
import type { Throttle } from './throttle.ts';

/**
 * Everything besides the database that decides an answer or must reach every process. One
 * process: the memory adapters. Several (REDIS_URL): the Redis adapters.
 */
export interface SharedState {
  presence: Presence;
  limiters: LimiterFactory;
  events: LiveEvents;
  throttle: Throttle;
  invalidations: Invalidations;
  hints: InstructionHints;
  activity: LoginActivity;
  /** Version stamps for the read cache across processes (Redis only: alone, a process needs none). */
  stamps?: Stamps;
  /** Whether the shared store answers (for /readyz); always true in memory. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
