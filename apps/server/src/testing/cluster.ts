import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from './harness.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const NGINX_SITE = join(ROOT, 'deploy/nginx-invigil.conf');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Resolves once something accepts connections on the port. */
export async function waitForPort(port: number, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        res(true);
      });
      c.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ClusterOptions {
  instances: number;
  /** sqlite: the instances share one DATA_DIR; postgres: they share DATABASE_URL. */
  store: 'sqlite' | 'postgres';
  redisUrl: string;
  databaseUrl?: string;
  /** Put nginx (Debian's package, deploy/nginx-invigil.conf) in front. */
  nginx?: boolean;
  nginxPort?: number;
  /** Fixed ports for the instances (default: free ones). */
  ports?: number[];
  env?: Record<string, string>;
  /** More environment for instance i (0-based), after `env`. */
  instanceEnv?: (i: number) => Record<string, string>;
}

export interface Cluster {
  instances: SpawnedServer[];
  /** Where clients go: nginx when there is one, else the first instance. */
  url: string;
  api: string;
  adminPassword: string;
  redisPrefix: string;
  secretKeyFile: string;
  nginx: ChildProcess | null;
  /** Kills instance i (SIGKILL: no chance to flush). */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts instance i again on its port. */
  restart(i: number): Promise<SpawnedServer>;
  stop(): Promise<void>;
}

/**
 * N real server processes sharing one store (one SQLite DATA_DIR, or one PostgreSQL database),
 * one Redis (under a key prefix of their own) and one SECRET_KEY_FILE, optionally behind nginx.
 */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const base = mkdtempSync(join(tmpdir(), 'invigil-cluster-'));
  const secretKeyFile = join(base, 'secret.key');
  writeFileSync(secretKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const redisPrefix = `invigil-test:${randomUUID()}:`;
  const adminPassword = 'cluster-admin-password-1';
  const sharedDataDir = join(base, 'data');
  mkdirSync(sharedDataDir);
  const ports = o.ports ?? (await Promise.all(Array.from({ length: o.instances }, () => freePort())));
  const envFor = (i: number): Record<string, string> => ({
    REDIS_URL: o.redisUrl,
    REDIS_KEY_PREFIX: redisPrefix,
    SECRET_KEY_FILE: secretKeyFile,
    TRUST_PROXY: 'true',
    INSTANCE_NAME: `instance-${i + 1}`,
    ...(o.store === 'postgres' ? { DATABASE_URL: o.databaseUrl! } : {}),
    ...o.env,
    ...o.instanceEnv?.(i),
  });
  const dataDirFor = (i: number) => {
    if (o.store === 'sqlite') return sharedDataDir;
    const d = join(base, `data-${i + 1}`);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const start = (i: number) => spawnServer(envFor(i), { dataDir: dataDirFor(i), adminPassword, port: ports[i]! });
  // The first one creates the schema and the admin; the others join it.
  const instances: SpawnedServer[] = [await start(0)];
  instances.push(...(await Promise.all(ports.slice(1).map((_, j) => start(j + 1)))));

  let nginx: ChildProcess | null = null;
  let url = instances[0]!.url;
  if (o.nginx) {
    const port = o.nginxPort ?? (await freePort());
    nginx = startNginx(join(base, 'nginx'), port, ports);
    await waitForPort(port);
    url = `http://127.0.0.1:${port}`;
  }
  return {
    instances,
    url,
    api: `${url}/api/v1`,
    adminPassword,
    redisPrefix,
    secretKeyFile,
    nginx,
    kill: (i, signal = 'SIGKILL') => instances[i]!.kill(signal),
    restart: async (i) => (instances[i] = await start(i)),
    stop: async () => {
      await Promise.all(instances.map((s) => s.kill('SIGTERM')));
      if (nginx && nginx.exitCode === null) {
        await new Promise<void>((res) => {
          nginx!.once('exit', () => res());
          nginx!.kill('SIGQUIT');
        });
      }
    },
  };
}

/** Debian's nginx, in the foreground, serving deploy/nginx-invigil.conf with our upstream and port. */
function startNginx(dir: string, port: number, upstream: number[]): ChildProcess {
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const site = readFileSync(NGINX_SITE, 'utf8')
    .replace(/^\s*server 127\.0\.0\.1:\d+[^\n]*\n/gm, '')
    .replace(/upstream invigil \{\n/, `upstream invigil {\n${upstream.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;\n`).join('')}`)
    .replace(/listen 8080;/, `listen 127.0.0.1:${port};`);
  writeFileSync(join(dir, 'invigil.conf'), site);
  const temp = join(dir, 'temp');
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'worker_processes 1;',
      'daemon off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 8192; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${temp}/body; proxy_temp_path ${temp}/proxy; fastcgi_temp_path ${temp}/fastcgi; uwsgi_temp_path ${temp}/uwsgi; scgi_temp_path ${temp}/scgi;`,
      `  include ${join(dir, 'invigil.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const check = spawnSync('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx refused the configuration:\n${check.stderr}`);
  return spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
}

/** Whether Debian's nginx is installed (the multi-instance tests need it). */
export function haveNginx(): boolean {
  return spawnSync('nginx', ['-v'], { encoding: 'utf8' }).status === 0;
}
