/**
 * `scripts/cluster.sh N` — N server instances behind nginx on this machine, sharing PostgreSQL
 * (DATABASE_URL, default a database `invigil_cluster` on the local server) or, with --sqlite, one
 * DATA_DIR; and Redis (REDIS_URL, default the local one). For a trial run and for the tests.
 * Prints the address to use and keeps running until Ctrl-C (then stops everything it started).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { haveNginx, startCluster } from './cluster.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { sqlite: { type: 'boolean', default: false }, port: { type: 'string', default: '8080' }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  process.stdout.write('usage: scripts/cluster.sh [N=3] [--sqlite] [--port 8080]\n');
  process.exit(0);
}
const n = Number(positionals[0] ?? 3);
if (!Number.isInteger(n) || n < 1 || n > 16) {
  process.stderr.write('cluster: N must be a whole number from 1 to 16\n');
  process.exit(2);
}
if (!haveNginx()) {
  process.stderr.write('cluster: nginx is not installed (Debian: apt-get install -y nginx)\n');
  process.exit(2);
}
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
let databaseUrl = process.env.DATABASE_URL;
if (!values.sqlite && !databaseUrl) {
  databaseUrl = 'postgres://postgres@127.0.0.1:5432/invigil_cluster';
  // Creates the trial database when it is missing (local trust auth, as on a fresh Debian PostgreSQL).
  spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', 'invigil_cluster'], { stdio: 'ignore' });
}
const c = await startCluster({
  instances: n,
  store: values.sqlite ? 'sqlite' : 'postgres',
  redisUrl,
  ...(databaseUrl ? { databaseUrl } : {}),
  nginx: true,
  nginxPort: Number(values.port),
  env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...(process.env.ADMIN_PASSWORD ? { ADMIN_PASSWORD: process.env.ADMIN_PASSWORD } : {}) },
});
process.stdout.write(
  [
    '',
    `  ${n} Invigil instance${n === 1 ? '' : 's'} behind nginx: ${c.url}   (console: ${c.url}/console/)`,
    ...c.instances.map((s, i) => `    instance ${i + 1}: ${s.url}`),
    `  Store: ${values.sqlite ? `SQLite in ${c.instances[0]!.dataDir}` : databaseUrl}   Redis: ${redisUrl} (prefix ${c.redisPrefix})`,
    `  Admin: admin / ${process.env.ADMIN_PASSWORD ?? c.adminPassword}   Secret key: ${c.secretKeyFile}`,
    '  Ctrl-C stops them all.',
    '',
  ].join('\n'),
);
const stop = () => void c.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 60_000);
