import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './cluster.ts';

/** The newest installed PostgreSQL's bin folder (Debian layout), or null. */
function pgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const v = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  return v && existsSync(join(base, v, 'bin', 'pg_ctl')) ? join(base, v, 'bin') : null;
}

/** Why a private PostgreSQL cannot be started here, or null when it can (needs the binaries; as root, the postgres user). */
export function privatePostgresUnavailable(): string | null {
  if (!pgBin()) return 'PostgreSQL server binaries are not installed';
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'running as root and there is no postgres user to run PostgreSQL as';
  return null;
}

/**
 * A PostgreSQL cluster of the test's own (initdb into a temp folder, on a free port, trust auth),
 * so a test can stop and restart it without touching anything else on the machine.
 */
export async function privatePostgres(): Promise<{ url: string; port: number; stop(): void; start(): Promise<void>; destroy(): void }> {
  const bin = pgBin()!;
  const dir = mkdtempSync(join(tmpdir(), 'invigil-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args;
    execFileSync(asRoot ? 'runuser' : join(bin, cmd), argv, { stdio: 'ignore' });
  };
  if (asRoot) {
    const pg = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(pg), Number(gid));
  }
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const start = async () => {
    run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`, 'start']);
    await waitForPort(port);
  };
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy: () => {
      try {
        stop();
      } catch {
        /* already stopped */
      }
    },
  };
}
