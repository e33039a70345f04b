// kiosk:preview answers the shell's offline calls as the kiosk does (minus the save dialog and the
// actual quit): a real preview process (real agent) against the real server, driven over its IPC
// endpoint. The exam UI for these calls is not part of this test (no browser needed).
import { call, provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KIOSK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let server: SpawnedServer;
let preview: ChildProcess | undefined;
beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
});
afterAll(async () => {
  preview?.kill('SIGTERM');
  await server?.kill();
});

describe('kiosk:preview offline shell calls', () => {
  it('checks the offline quit code with the agent and writes the offline bundle to its usb folder; the server merges it', async () => {
    const key = (await call(`${server.api}/offline/keys`, 'GET')).body.signingPublicKey as string;
    const root = mkdtempSync(join(tmpdir(), 'invigil-preview-offline-'));
    const rendererDir = join(root, 'renderer');
    const dataDir = join(root, 'agent');
    // The IPC endpoint needs no real UI: a placeholder page is enough to start the preview.
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>placeholder</title>');
    preview = spawn(process.execPath, ['--import', 'tsx', join(KIOSK_DIR, 'src/preview/main.ts'), '--port', '0', '--no-open', '--fake-platform', '--data-dir', dataDir, '--renderer-dir', rendererDir, '--server', server.url, `--server-public-key=${key}`], {
      cwd: KIOSK_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    preview.stdout!.on('data', (d) => (out += d));
    preview.stderr!.on('data', (d) => (out += d));
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`preview did not start:\n${out}`)), 30_000);
      preview!.stdout!.on('data', () => {
        const m = /PREVIEW_URL=(\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(m[1]!);
        }
      });
    });
    const ipc = async (name: string, payload: unknown = {}) => (await call(`${url}__preview/ipc/${name}`, 'POST', payload, undefined, { 'x-invigil-preview': '1' })).body;

    const prov = await provision(server, 1, { prefix: 'prevoff' });
    const c = prov.candidates[0]!;
    expect(await ipc('login', { examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode })).toMatchObject({ ok: true });
    const started = await ipc('startExam');
    expect(started).toMatchObject({ ok: true });
    const attemptId = started.data.attemptId as string;
    for (let i = 0; i < 100 && !(await ipc('getState')).data.offline?.bundleAvailable; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await ipc('saveAnswer', { questionId: 'q3', value: 'from the preview' })).toMatchObject({ ok: true });

    // Quit: no challenge open → refused by the agent; with the proctor's code → accepted.
    expect(await ipc('requestQuitOffline', { code: 'ABCDE-FGHJK' })).toMatchObject({ ok: false, error: { code: 'INVALID_CHALLENGE' } });
    const ch = await ipc('offlineChallenge', { action: 'quit' });
    const code = await call(`${server.api}/proctor/sessions/${attemptId}/offline-code`, 'POST', { challenge: ch.data.challenge }, prov.adminToken);
    expect(await ipc('requestQuitOffline', { code: code.body.code })).toEqual({ ok: true, data: { quitting: true } });
    expect(out).toContain('a kiosk would quit now');

    // The bundle: a path from the page is not taken; the file lands in the usb folder.
    expect(await ipc('saveOfflineBundle', { submit: true, path: '/tmp/x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const saved = await ipc('saveOfflineBundle', { submit: true });
    expect(saved).toMatchObject({ ok: true, data: { saved: true, answers: 1 } });
    expect(saved.data.path).toBe(join(root, 'usb', `${c.candidateId}-offline.invigil`));
    expect(existsSync(saved.data.path)).toBe(true);
    const up = await call(`${server.api}/proctor/offline-bundles`, 'POST', { bundle: await readFile(saved.data.path, 'utf8') }, prov.adminToken);
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body).toMatchObject({ attemptId, submittedNow: true, status: 'completed' });
  });
});
