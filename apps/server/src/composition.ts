import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { memorySharedState } from './adapters/memory/shared-state.ts';
import { lockDataDir } from './adapters/sqlite/instance-lock.ts';
import { openDatabase } from './adapters/sqlite/open.ts';
import { SqliteDatabase } from './adapters/sqlite/sqlite-database.ts';
import { createApp } from './app.ts';
import { proxyTrust } from './http/client-address.ts';
import type { Config } from './config.ts';
import { createJobs, type Jobs } from './jobs.ts';
import type { Database } from './ports/database.ts';
import type { SharedState } from './ports/shared-state.ts';
import { loadSecretKey } from './secret-key.ts';
import { createServices, type Services } from './services.ts';

export interface Assembled {
  app: ReturnType<typeof createApp>['app'];
  services: Services;
  jobs: Jobs;
  db: Database;
  shared: SharedState;
  dataDir: string;
  /** Only when generated on this first start. */
  generatedAdminPassword?: string;
  close(): Promise<void>;
}

/**
 * The composition root: reads the configuration, builds the adapters (the only place that names
 * one), wires the services and the HTTP app. Listening is the caller's (server.ts); tests build
 * the same thing in-process with an injected clock and `timers: false`.
 */
export async function assemble(config: Config, opts: { log: Logger; now?: () => number; timers?: boolean }): Promise<Assembled> {
  const now = opts.now ?? (() => Date.now());
  const dataDir = resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  // Without shared state (REDIS_URL), this process's memory decides answers: it must be alone.
  const lock = lockDataDir(dataDir, 'exclusive');
  let db: SqliteDatabase | undefined;
  try {
    db = new SqliteDatabase(openDatabase(dataDir));
    const shared = memorySharedState(now);
    const secretKey = await loadSecretKey(join(dataDir, 'secret.key'), db.repos);
    const services = createServices({ db, shared, config, log: opts.log, now, secretKey });
    const admin = await services.loginSessions.login.bootstrapAdmin(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
    // Instructions issued before a restart still reach their kiosks.
    for (const id of await db.repos.instructions.attemptsWithPending()) await shared.hints.mark(id);
    const jobs = createJobs({ db, shared, services, log: opts.log, now, heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS }, { timers: opts.timers ?? true });
    const database = db;
    const { app } = createApp({
      services,
      log: opts.log,
      proxies: proxyTrust(config),
      ready: async () => ({ database: await database.ping().catch(() => false), shared: await shared.ping().catch(() => false) }),
    });
    return {
      app,
      services,
      jobs,
      db,
      shared,
      dataDir,
      ...(admin.password ? { generatedAdminPassword: admin.password } : {}),
      close: async () => {
        await jobs.stop();
        await shared.close();
        await database.close();
        await lock.release();
      },
    };
  } catch (e) {
    if (db) await db.close().catch(() => undefined);
    await lock.release();
    throw e;
  }
}
