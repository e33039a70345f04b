import type { SharedState } from '../../ports/shared-state.ts';
import { MemoryInstructionHints } from './instruction-hints.ts';
import { MemoryInvalidations } from './invalidation.ts';
import { MemoryLimiters } from './limiter.ts';
import { MemoryLiveEvents } from './live-events.ts';
import { MemoryLoginActivity } from './login-activity.ts';
import { MemoryPresence } from './presence.ts';
import { MemoryThrottle } from './throttle.ts';

/** The shared state of a single process (no REDIS_URL): only one process may then serve a DATA_DIR. */
export function memorySharedState(now: () => number): SharedState {
  const events = new MemoryLiveEvents(now());
  return {
    presence: new MemoryPresence(),
    limiters: new MemoryLimiters(now),
    events,
    throttle: new MemoryThrottle(),
    invalidations: new MemoryInvalidations(),
    hints: new MemoryInstructionHints(),
    activity: new MemoryLoginActivity(),
    ping: () => Promise.resolve(true),
    close: () => events.close(),
  };
}
