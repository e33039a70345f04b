import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, TestDevice, type SpawnedServer } from './testing/harness.ts';

let s: SpawnedServer;
beforeAll(async () => {
  s = await spawnServer();
});
afterAll(() => s.kill());

describe('secrets at rest', () => {
  it('the SQLite files contain no raw login token, access code, recovery token or admin password', async () => {
    const p = await provision(s, 3);
    const secrets: string[] = [s.adminPassword, p.adminToken, ...p.candidates.map((c) => c.accessCode)];
    for (const c of p.candidates) {
      const token = await candidateLogin(s, p.examId, c);
      secrets.push(token);
      const dev = new TestDevice();
      const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey }, token);
      secrets.push(st.body.recoveryToken);
      const rec = await call(`${s.api}/exams/sessions/${st.body.attemptId}/recover`, 'POST', dev.recover(st.body.attemptId, st.body.recoveryToken), token);
      expect(rec.status).toBe(200);
      secrets.push(rec.body.recoveryToken);
    }
    // Let the batched flushes run; the WAL file is read as well as the main file.
    await new Promise((r) => setTimeout(r, 1_200));
    const files = readdirSync(s.dataDir).filter((f) => f.startsWith('invigil.sqlite'));
    expect(files).toContain('invigil.sqlite');
    const blobs = files.map((f) => readFileSync(join(s.dataDir, f)).toString('latin1'));
    // Sanity: the file does hold the data we wrote (so the grep can find things).
    expect(blobs.some((b) => b.includes(p.candidates[0]!.candidateId))).toBe(true);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(12);
      for (const b of blobs) expect(b.includes(secret), 'a raw secret is stored').toBe(false);
    }
    // Nor in the logs.
    for (const secret of secrets.slice(1)) expect(s.output().includes(secret)).toBe(false);
  });
});
