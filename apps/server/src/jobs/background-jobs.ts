import type { Logger } from 'pino';
import type { Presence } from '../ports/presence.ts';
import type { Store } from '../ports/store.ts';
import type { Services } from '../services/services.ts';

export interface JobDeps {
  services: Services;
  store: Store;
  presence: Presence;
  log: Logger;
  heartbeatIntervalMs: number;
}

/**
 * The sweeper (auto-pause, time-up, expiry) and the presence flusher (heartbeats to disk in batches).
 * Returns a stop function that runs a last flush.
 */
export function startBackgroundJobs(d: JobDeps): () => void {
  // Sweep often enough that a silent session is paused within half an interval of its deadline.
  const sweepEvery = Math.max(25, Math.min(1_000, Math.floor(d.heartbeatIntervalMs / 2)));
  const flushEvery = Math.min(1_000, d.heartbeatIntervalMs);

  const flush = () => {
    d.store.recordPresence(d.presence.drainDirty());
    d.services.auth.flushActivity();
    d.services.sessions.publishPresence(Date.now());
  };
  const guarded = (name: string, fn: () => unknown) => () => {
    try {
      fn();
    } catch (err) {
      d.log.error({ err, job: name }, 'background job failed');
    }
  };
  const sweeper = setInterval(
    guarded('sweeper', () => {
      const r = d.services.sessions.sweep();
      if (r.autoPaused || r.completed || r.expired) d.log.info(r, 'sweeper changed sessions');
    }),
    sweepEvery,
  );
  const flusher = setInterval(guarded('presence-flush', flush), flushEvery);
  const cleanup = setInterval(
    guarded('login-session-cleanup', () => {
      const n = d.services.auth.cleanup();
      if (n) d.log.info({ ended: n }, 'expired login sessions cleaned up');
    }),
    3_600_000,
  );
  sweeper.unref();
  flusher.unref();
  cleanup.unref();
  return () => {
    clearInterval(sweeper);
    clearInterval(flusher);
    clearInterval(cleanup);
    guarded('final-flush', () => {
      d.services.answers.flush();
      flush();
    })();
  };
}
