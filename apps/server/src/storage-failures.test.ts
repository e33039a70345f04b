import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, TestDevice, type SpawnedServer } from './testing/harness.ts';

const SERVER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Whether this process may mount a tmpfs (root on Linux): a real disk that fills up. */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const d = mkdtempSync(join(tmpdir(), 'invigil-mnt-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', d]).status === 0;
  if (ok) spawnSync('umount', [d]);
  return ok;
}
const mountable = canMount();
if (!mountable) console.warn('SKIPPED: the disk-full and read-only tests mount a small tmpfs, which needs root');

const mounts: string[] = [];
const servers: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.kill();
  for (const m of mounts) spawnSync('umount', ['-l', m]);
});

function tmpfs(sizeMb: number): string {
  const d = mkdtempSync(join(tmpdir(), 'invigil-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', d]);
  mounts.push(d);
  return d;
}

/** Writes zeros until the disk refuses (ENOSPC): the disk is then really full. */
function fill(dir: string): string {
  const file = join(dir, 'filler.bin');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Starts the server expecting it to refuse; answers its exit code and what it said. */
function startRefused(dataDir: string): { status: number | null; said: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, ADMIN_PASSWORD: 'test-admin-password-123', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, said: r.stderr.trim().split('\n').filter(Boolean) };
}

describe.runIf(mountable)('a full disk', () => {
  it('answers 503 STORAGE_UNAVAILABLE (not 500), /healthz says degraded, nothing acknowledged is lost; freed, it carries on', async () => {
    const dataDir = tmpfs(8);
    const s = await spawnServer({}, { dataDir, adminPassword: 'test-admin-password-123' });
    servers.push(s);
    const p = await provision(s, 1);
    const token = await candidateLogin(s, p.examId, p.candidates[0]!);
    const dev = new TestDevice();
    const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey }, token);
    const a = st.body.attemptId;
    expect((await call(`${s.api}/exams/sessions/${a}/answers/q3`, 'PUT', { value: 'saved before the disk filled', clientSeq: 1 }, token)).status).toBe(200);

    const filler = fill(dataDir);
    // Enough text to need new pages on disk, whatever free pages SQLite still had.
    const big = 'x'.repeat(90_000);
    let save = await call(`${s.api}/exams/sessions/${a}/answers/q3`, 'PUT', { value: big, clientSeq: 2 }, token);
    for (let i = 3; save.status === 200 && i < 200; i++) save = await call(`${s.api}/exams/sessions/${a}/answers/q3`, 'PUT', { value: big + i, clientSeq: i }, token);
    expect(save.status).toBe(503);
    expect(save.body.error.code).toBe('STORAGE_UNAVAILABLE');
    expect(save.headers.get('retry-after')).not.toBeNull();
    const submit = await call(`${s.api}/exams/sessions/${a}/submit`, 'POST', undefined, token);
    expect(submit.status).toBe(503);
    expect((await call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password: s.adminPassword })).status).toBe(503);
    const health = await call(`${s.url}/healthz`, 'GET');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('degraded');
    expect(s.output()).toMatch(/the database is unavailable: answering 503 STORAGE_UNAVAILABLE/);

    rmSync(filler);
    expect((await call(`${s.api}/exams/sessions/${a}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, token)).status).toBe(200);
    expect((await call(`${s.api}/exams/sessions/${a}/submit`, 'POST', undefined, token)).body.status).toBe('completed');
    expect((await call(`${s.url}/healthz`, 'GET')).body.status).toBe('ok');
    const answers = (await call(`${s.api}/exams/sessions/${a}/answers`, 'GET', undefined, token)).body.answers.map((x: { questionId: string; clientSeq: number }) => [x.questionId, x.clientSeq]);
    expect(answers).toContainEqual(['q1', 1]);
    // The last save acknowledged before the failure (or a later acknowledged one) is there.
    expect(answers.find((x: [string, number]) => x[0] === 'q3')[1]).toBeGreaterThanOrEqual(1);
  });
});

describe('damaged or unwritable data at start', () => {
  it('a file that is not a database: one sentence naming it, no stack trace', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'invigil-damaged-'));
    execFileSync('sh', ['-c', `head -c 65536 /dev/urandom > ${join(dataDir, 'invigil.sqlite')}`]);
    const r = startRefused(dataDir);
    expect(r.status).toBe(3);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(new RegExp(`^invigil: the database ${join(dataDir, 'invigil.sqlite').replace(/[.]/g, '\\.')} is damaged`));
  });

  it('a database damaged inside (found by the integrity check at start)', async () => {
    const s = await spawnServer();
    await provision(s, 40);
    await s.kill();
    const file = join(s.dataDir, 'invigil.sqlite');
    // Leave the header alone; overwrite pages in the middle.
    execFileSync('sh', ['-c', `dd if=/dev/urandom of=${file} bs=4096 seek=4 count=6 conv=notrunc 2>/dev/null; rm -f ${file}-wal ${file}-shm`]);
    const r = startRefused(s.dataDir);
    expect(r.status).toBe(3);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(/is damaged .*restore it and secret\.key from your backup/);
  });

  it.runIf(mountable)('a read-only data folder', async () => {
    const dataDir = tmpfs(8);
    const s = await spawnServer({}, { dataDir, adminPassword: 'test-admin-password-123' });
    await s.kill();
    execFileSync('mount', ['-o', 'remount,ro', dataDir]);
    const r = startRefused(dataDir);
    expect(r.status).toBe(3);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(/^invigil: DATA_DIR .* is not writable/);
  });
});
