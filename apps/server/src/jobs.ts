import type { Logger } from 'pino';
import type { Database } from './ports/database.ts';
import type { Metrics } from './ports/metrics.ts';
import type { SharedState } from './ports/shared-state.ts';
import type { SweepResult } from './exam-sessions/sweeper.ts';
import type { Services } from './services.ts';

export interface Jobs {
  /** One pass of the sweeper (auto-pause, time up, expiry). */
  sweep(): Promise<SweepResult>;
  /** Presence and login activity to the database; presence events to staff. */
  flush(): Promise<void>;
  /** Ends login sessions past their deadlines. */
  cleanup(): Promise<number>;
  /** Records that this instance is alive (an outage of the server is told from it at the next start). */
  alive(): Promise<void>;
  /** Stops the timers and runs a last flush. */
  stop(): Promise<void>;
}

export interface JobDeps {
  db: Database;
  shared: SharedState;
  services: Services;
  log: Logger;
  now: () => number;
  heartbeatIntervalMs: number;
  metrics?: Metrics;
}

/**
 * The background work of one process: the sweeper, the batched presence flush, the hourly
 * login-session cleanup and the archive sweep. Every job is correct with any number of processes
 * running it (each change is re-checked under its row lock). `timers: false` builds the jobs without
 * starting them (tests run them by hand on an injected clock).
 */
export function createJobs(d: JobDeps, opts: { timers: boolean }): Jobs {
  const { services } = d;
  const jobs = {
    sweep: async () => {
      const t0 = performance.now();
      const r = await services.examSessions.sweeper.sweep();
      d.metrics?.sweepPass((performance.now() - t0) / 1000);
      return r;
    },
    flush: async () => {
      await d.db.repos.examSessions.recordPresence(await d.shared.presence.drainDirty());
      await services.loginSessions.authenticator.flushActivity();
      await services.examSessions.presenceEvents.publish(d.now());
    },
    cleanup: () => services.loginSessions.mine.cleanup(),
    alive: () => services.examSessions.outage.alive(),
  };
  const timers: ReturnType<typeof setInterval>[] = [];
  const running = new Set<string>();
  const every = (name: string, ms: number, fn: () => Promise<unknown>) => {
    const t = setInterval(() => {
      if (running.has(name)) return; // never two passes of one job at once
      running.add(name);
      fn()
        .catch((err: unknown) => d.log.error({ err, job: name }, 'background job failed'))
        .finally(() => running.delete(name));
    }, ms);
    t.unref();
    timers.push(t);
  };
  if (opts.timers) {
    // Sweep often enough that a silent session is paused within half an interval of its deadline.
    every('sweeper', Math.max(25, Math.min(1_000, Math.floor(d.heartbeatIntervalMs / 2))), async () => {
      const r = await jobs.sweep();
      if (r.autoPaused || r.completed || r.expired) d.log.info(r, 'sweeper changed sessions');
    });
    every('presence-flush', Math.min(1_000, d.heartbeatIntervalMs), jobs.flush);
    every('alive', Math.max(100, Math.min(5_000, Math.floor(d.heartbeatIntervalMs / 2))), jobs.alive);
    every('login-session-cleanup', 3_600_000, async () => {
      const n = await jobs.cleanup();
      if (n) d.log.info({ ended: n }, 'expired login sessions cleaned up');
    });
    services.sealing.start();
  }
  return {
    ...jobs,
    stop: async () => {
      for (const t of timers) clearInterval(t);
      services.sealing.stop();
      try {
        await services.examSessions.writer.flush();
        await jobs.flush();
        await jobs.alive();
      } catch (err) {
        d.log.error({ err, job: 'final-flush' }, 'background job failed');
      }
    },
  };
}
