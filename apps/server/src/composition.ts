import { hostname } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { withReadCache } from './adapters/memory/read-cache.ts';
import { memorySharedState } from './adapters/memory/shared-state.ts';
import { lockPostgres } from './adapters/postgres/instance-lock.ts';
import { openPostgresDatabase } from './adapters/postgres/open.ts';
import { PrometheusMetrics } from './adapters/prometheus/metrics.ts';
import { redisSharedState } from './adapters/redis/shared-state.ts';
import { lockDataDir } from './adapters/sqlite/instance-lock.ts';
import { openDatabase } from './adapters/sqlite/open.ts';
import { SqliteDatabase } from './adapters/sqlite/sqlite-database.ts';
import { createApp } from './app.ts';
import { proxyTrust } from './http/client-address.ts';
import type { Config } from './config.ts';
import { Health } from './http/health.ts';
import { Lifecycle } from './http/lifecycle.ts';
import { createJobs, type Jobs } from './jobs.ts';
import type { Database } from './ports/database.ts';
import type { SseFrames } from './proctoring/sse-frames.ts';
import { StartupRefused, StorageUnavailable } from './ports/errors.ts';
import type { SharedState } from './ports/shared-state.ts';
import { loadSecretKey } from './secret-key.ts';
import { createServices, type Services } from './services.ts';

export interface Assembled {
  app: ReturnType<typeof createApp>['app'];
  /** The fast lane of the hot routes (http/fast-lane.ts), given the headers every API answer carries. */
  fastLane: ReturnType<typeof createApp>['fastLane'];
  services: Services;
  jobs: Jobs;
  db: Database;
  shared: SharedState;
  dataDir: string;
  lifecycle: Lifecycle;
  metrics: PrometheusMetrics;
  /** Only when generated on this first start. */
  generatedAdminPassword?: string;
  close(): Promise<void>;
}

/**
 * The composition root: reads the configuration, builds the adapters (the only place that names
 * one), wires the services and the HTTP app. Listening is the caller's (server.ts); tests build
 * the same thing in-process with an injected clock and `timers: false`.
 */
export async function assemble(config: Config, opts: { log: Logger; now?: () => number; timers?: boolean; frames?: SseFrames }): Promise<Assembled> {
  const now = opts.now ?? (() => Date.now());
  const dataDir = resolve(config.DATA_DIR);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw new StartupRefused(`DATA_DIR ${dataDir} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): create it for the user the server runs as, or point DATA_DIR elsewhere.`);
  }
  // Without shared state (REDIS_URL), this process's memory decides answers: it must be alone.
  // With it, any number of processes may share the store, and none may take it alone meanwhile.
  const lockMode = config.REDIS_URL ? 'shared' : 'exclusive';
  const lock = config.DATABASE_URL
    ? await lockPostgres(config.DATABASE_URL, lockMode).catch((e: unknown) => {
        if (e instanceof StorageUnavailable) throw new StartupRefused(`${e.message}; start PostgreSQL or fix DATABASE_URL.`);
        throw e;
      })
    : lockDataDir(dataDir, lockMode);
  let db: Database | undefined;
  let shared: SharedState | undefined;
  try {
    shared = config.REDIS_URL
      ? await redisSharedState(config.REDIS_URL, { prefix: config.REDIS_KEY_PREFIX, now, log: opts.log }).catch((e: unknown) => {
          throw new StartupRefused(`${(e as Error).message}; start Redis or unset REDIS_URL (then only one process may serve DATA_DIR).`);
        })
      : memorySharedState(now);
    db = config.DATABASE_URL ? await openPostgresDatabase(config.DATABASE_URL, { log: opts.log, poolSize: config.DATABASE_POOL_SIZE }) : new SqliteDatabase(openDatabase(dataDir));
    // The hot path's reads (sessions, logins) are served from memory: alone on the database (no
    // REDIS_URL: the lock above holds) every write passes through this process; with REDIS_URL
    // each copy is checked against its version stamps in Redis (one call instead of a query).
    db = withReadCache(db, { now, ...(shared.stamps ? { stamps: shared.stamps } : {}) });
    // With SECRET_KEY_FILE every instance of a cluster reads the same file; without it a single
    // instance keeps DATA_DIR/secret.key. The database records an id of its key either way.
    const secretKey = await loadSecretKey(config.SECRET_KEY_FILE ?? join(dataDir, 'secret.key'), db.repos);
    const database = db;
    const state = shared;
    const metrics = new PrometheusMetrics(
      { sessionsByStatus: () => database.repos.examSessions.countByStatus(), sseSubscribers: () => state.events.localSubscribers },
      config.INSTANCE_NAME ?? `${hostname()}:${process.pid}`,
    );
    const lifecycle = new Lifecycle();
    const services = createServices({ db, shared, config, log: opts.log, now, secretKey, metrics, lifecycle, ...(opts.frames ? { frames: opts.frames } : {}) });
    const admin = await services.loginSessions.login.bootstrapAdmin(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
    // Instructions issued before a restart still reach their kiosks.
    for (const id of await db.repos.instructions.attemptsWithPending()) await shared.hints.mark(id);
    // The server itself was down? Running sessions are not charged the outage; one alert per room.
    await services.examSessions.outage.settleAtStart();
    const jobs = createJobs({ db, shared, services, log: opts.log, now, heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS, metrics }, { timers: opts.timers ?? true });
    const { app, fastLane } = createApp({
      services,
      log: opts.log,
      proxies: proxyTrust(config),
      ready: async () => ({ database: await database.ping().catch(() => false), shared: await state.ping().catch(() => false) }),
      metrics,
      prometheus: { contentType: metrics.registry.contentType, render: () => metrics.registry.metrics(), ...(config.METRICS_TOKEN ? { token: config.METRICS_TOKEN } : {}) },
      lifecycle,
      health: new Health(config.DATABASE_URL ? null : dataDir),
    });
    return {
      app,
      fastLane,
      services,
      jobs,
      db,
      shared: state,
      dataDir,
      lifecycle,
      metrics,
      ...(admin.password ? { generatedAdminPassword: admin.password } : {}),
      close: async () => {
        await jobs.stop();
        await state.close();
        await database.close();
        await lock.release();
      },
    };
  } catch (e) {
    if (db) await db.close().catch(() => undefined);
    if (shared) await shared.close().catch(() => undefined);
    await lock.release();
    throw e;
  }
}
