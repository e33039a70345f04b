import { serve, type ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { openDatabase } from './adapters/sqlite/db.ts';
import { SqliteStore } from './adapters/sqlite/sqlite-store.ts';
import { MemoryPresence } from './adapters/memory/memory-presence.ts';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { startBackgroundJobs } from './jobs/background-jobs.ts';
import { createServices } from './services/services.ts';
import { adminModule } from './admin/index.ts';
import { reviewModule } from './review/index.ts';
import type { FeatureModule } from './modules.ts';

/** The server's own secret (keys the access-code hashes); lives beside the database, never inside it. */
function loadSecretKey(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  adminUsername: string;
  /** Only when generated on this first start. */
  generatedAdminPassword?: string;
  log: Logger;
  close(): Promise<void>;
}

/** Wires everything together and listens. */
export async function startServer(config: Config, log: Logger = pino({ level: config.LOG_LEVEL })): Promise<RunningServer> {
  const dataDir = resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(dataDir);
  const store = new SqliteStore(db);
  const presence = new MemoryPresence();
  const now = () => Date.now();
  const services = createServices({ store, presence, config, log, now, secretKey: loadSecretKey(dataDir) });
  const admin = await services.auth.bootstrapAdmin(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
  const moduleDeps = { db, store, presence, config, log, now, bus: services.bus, services };
  const modules: FeatureModule[] = [adminModule(moduleDeps), reviewModule(moduleDeps)];
  for (const m of modules) if (m.onSessionEnded) services.endedHooks.push((id) => m.onSessionEnded!(id));
  const { app } = createApp({ services, log, trustProxy: config.TRUST_PROXY, modules });
  const stopBackground = startBackgroundJobs({ services, store, presence, log, heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS });
  const stopModules = modules.flatMap((m) => (m.start ? [m.start()] : []));
  const stopJobs = () => {
    for (const stop of stopModules) stop();
    stopBackground();
  };

  const server: ServerType = await new Promise((resolveListen) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolveListen(s));
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  log.info({ port, dataDir }, 'listening');
  return {
    url: `http://${host}:${port}`,
    port,
    dataDir,
    adminUsername: config.ADMIN_USERNAME,
    ...(admin.password ? { generatedAdminPassword: admin.password } : {}),
    log,
    close: () =>
      new Promise<void>((done) => {
        stopJobs();
        server.close(() => {
          store.close();
          done();
        });
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
