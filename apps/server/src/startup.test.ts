import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { call, spawnServer, type SpawnedServer } from './testing/harness.ts';
import { loadConfig } from './config.ts';
import { inProcess } from './testing/in-process.ts';

const SERVER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of started) await s.kill();
});

describe('configuration', () => {
  it('has the PROTOCOL.md defaults', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8080,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      ADMIN_USERNAME: 'admin',
      HEARTBEAT_INTERVAL_MS: 10_000,
      MISSED_HEARTBEATS_BEFORE_PAUSE: 3,
      PAUSED_SESSION_TTL_MS: 86_400_000,
      MAX_RECOVERY_ATTEMPTS: 3,
      MAX_PAUSED_SESSIONS: 3,
    });
  });

  it('refuses to start on a bad variable, naming it', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: SERVER_DIR,
      env: { ...process.env, PORT: 'eighty', MAX_RECOVERY_ATTEMPTS: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'invigil-cfg-')) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/invalid configuration/);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/MAX_RECOVERY_ATTEMPTS/);
  });
});

describe('first start', () => {
  it('prints the URL, a generated admin password (once) and where data lives; the password works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'invigil-first-'));
    const s = await spawnServer({ ADMIN_PASSWORD: '' }, { dataDir, adminPassword: '' });
    started.push(s);
    const out = s.output();
    expect(out).toContain(`listening on ${s.url}`);
    expect(out).toContain(join(dataDir, 'invigil.sqlite'));
    const m = /Admin:\s+admin \/ (\S+)/.exec(out);
    expect(m).not.toBeNull();
    const login = await call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password: m![1] });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    // An answer carrying a token is never cached.
    expect(login.headers.get('cache-control')).toBe('no-store');
    // The banner names the console's address (built) or how to build it.
    expect(out).toMatch(new RegExp(`Console:\\s+(${s.url.replace(/[.]/g, '\\.')}/console/|not built)`));
    // The password is not in the JSON logs, only in the banner.
    expect(out.split('\n').filter((l) => l.startsWith('{')).join('\n')).not.toContain(m![1]);

    await s.kill();
    const again = await s.restart();
    started.push(again);
    expect(again.output()).not.toContain(m![1]);
    expect((await call(`${again.api}/auth/staff/login`, 'POST', { username: 'admin', password: m![1] })).status).toBe(200);
  });

  it('serves /healthz, the OpenAPI document covering every route, and a docs page', async () => {
    const s = await spawnServer();
    started.push(s);
    expect((await call(`${s.url}/healthz`, 'GET')).body).toMatchObject({ status: 'ok' });
    const doc = (await call(`${s.url}/api/openapi.json`, 'GET')).body;
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of [
      'POST /api/v1/auth/staff/login',
      'POST /api/v1/admin/exams',
      'POST /api/v1/admin/exams/{examId}/candidates',
      'POST /api/v1/auth/candidate/login',
      'POST /api/v1/exams/sessions/start',
      'GET /api/v1/exams/sessions/active',
      'POST /api/v1/exams/sessions/heartbeat',
      'POST /api/v1/exams/sessions/{attemptId}/pause',
      'POST /api/v1/exams/sessions/{attemptId}/resume',
      'POST /api/v1/exams/sessions/{attemptId}/recover',
      'PUT /api/v1/exams/sessions/{attemptId}/answers/{questionId}',
      'GET /api/v1/exams/sessions/{attemptId}/answers',
      'POST /api/v1/exams/sessions/{attemptId}/submit',
      'DELETE /api/v1/exams/sessions/{attemptId}',
    ]) {
      expect(routes).toContain(r);
    }
    const start = doc.paths['/api/v1/exams/sessions/start'].post;
    expect(Object.keys(start.requestBody.content['application/json'].schema.properties)).toEqual(['examSetId', 'deviceFingerprint', 'browserInfo', 'devicePublicKey']);
    const docs = await fetch(`${s.url}/api/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain('/api/openapi.json');
  });
});

describe('one data folder, one process (without REDIS_URL)', () => {
  it('a second server on the same DATA_DIR refuses to start with one sentence naming REDIS_URL; the first keeps answering', async () => {
    const first = await spawnServer();
    started.push(first);
    const second = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: SERVER_DIR,
      env: { ...process.env, PORT: '0', DATA_DIR: first.dataDir, ADMIN_PASSWORD: first.adminPassword, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(second.status).toBe(3);
    const said = second.stderr.trim().split('\n');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^invigil: another Invigil server is already serving DATA_DIR .*REDIS_URL/);
    expect(second.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect((await call(`${first.url}/healthz`, 'GET')).status).toBe(200);
    expect((await call(`${first.api}/auth/staff/login`, 'POST', { username: 'admin', password: first.adminPassword })).status).toBe(200);
    // Once the first has stopped, the folder is free again.
    await first.kill();
    const again = await first.restart();
    started.push(again);
    expect((await call(`${again.url}/healthz`, 'GET')).status).toBe(200);
  });
});


describe('the secret key', () => {
  const restartFails = async (s: SpawnedServer) => {
    const err = await s.restart().then(
      (again) => {
        started.push(again);
        return null;
      },
      (e: Error) => e.message,
    );
    expect(err).not.toBeNull();
    return err!;
  };

  it('a missing or emptied DATA_DIR/secret.key on an existing database stops the start with one sentence naming the file; restoring it starts again', async () => {
    const s = await spawnServer();
    const file = join(s.dataDir, 'secret.key');
    const original = readFileSync(file, 'utf8');
    const reg = await call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password: s.adminPassword });
    expect(reg.status).toBe(200);
    await s.kill();

    rmSync(file);
    const missing = await restartFails(s);
    expect(missing).toMatch(/exited with 4/);
    expect(missing).toContain(`invigil: ${file} is missing, but this database was created with it`);
    expect(existsSync(file)).toBe(false); // not silently replaced

    // Emptied, or another key: the same refusal (checked in-process: no need for more processes).
    writeFileSync(file, '');
    await expect(inProcess({ DATA_DIR: s.dataDir, ADMIN_PASSWORD: s.adminPassword })).rejects.toThrow(`${file} is empty or damaged`);
    expect(readFileSync(file, 'utf8')).toBe('');
    writeFileSync(file, randomBytes(32).toString('base64'));
    await expect(inProcess({ DATA_DIR: s.dataDir, ADMIN_PASSWORD: s.adminPassword })).rejects.toThrow(`${file} is not the key this database was created with`);

    writeFileSync(file, original);
    const again = await s.restart();
    started.push(again);
    expect((await call(`${again.api}/auth/staff/login`, 'POST', { username: 'admin', password: s.adminPassword })).status).toBe(200);
  });
});
