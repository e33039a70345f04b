import { encodeChallenge, parseChallenge } from '@invigil/contract';
import { call, spawnServer, testBundle, testChallenge, type SpawnedServer } from '@invigil/server/testing';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11y, HAS_CHROMIUM, launch, shot, watchErrors } from './browser.ts';
import { setupExam, type Setup } from './fixtures.ts';
import { Kiosk } from './kiosk.ts';

/** The proctor's page for kiosks without network: answer a seat's challenge; upload a bundle. */
describe.skipIf(!HAS_CHROMIUM)('staff console: offline codes and bundles', () => {
  let s: SpawnedServer;
  let x: Setup;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    s = await spawnServer();
    x = await setupExam(s, 3, 'History — Paper 2');
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.kill();
  });

  it('the proctor picks the seat, types the challenge, gets the code; a wrong seat is refused; a bundle is merged and a tampered one refused', async () => {
    const kiosks = await Promise.all(x.candidates.map((c) => new Kiosk(s, x.examId, c).start()));
    const k = kiosks[1]!;
    const cand = x.candidates[1]!;
    await page.goto(`${s.url}/console/login`);
    await page.getByLabel('Username').fill(x.proctor.username);
    await page.getByLabel('Password').fill(x.proctor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Offline' }).click();
    await page.getByRole('heading', { name: 'Offline codes and bundles' }).waitFor();

    // Another kiosk's challenge for this seat: refused with the reason.
    await page.getByLabel('Seat').selectOption(k.attemptId);
    // (A challenge whose device tag is one off this kiosk's: another kiosk's, for certain.)
    const other = parseChallenge(testChallenge('quit', k.dev.publicKey));
    if (!other.ok) throw new Error('setup: bad challenge');
    await page.getByLabel('Challenge shown on the kiosk').fill(encodeChallenge({ ...other.parts, deviceTag: (other.parts.deviceTag + 1) % 1024 }));
    await page.getByRole('button', { name: 'Get the code' }).click();
    await page.getByRole('alert').filter({ hasText: 'another kiosk' }).waitFor();
    await expect(page.getByTestId('offline-answer').count()).resolves.toBe(0);

    // This kiosk's unlock challenge, typed in lower case with spaces.
    const challenge = testChallenge('unlock', k.dev.publicKey);
    await page.getByLabel('Challenge shown on the kiosk').fill(challenge.toLowerCase().replace(/(.{5})/g, '$1 ').trim());
    await page.getByLabel('Reason (for the audit trail)').fill('network down in Room 2');
    await page.getByRole('button', { name: 'Get the code' }).click();
    const answer = page.getByTestId('offline-answer');
    await answer.waitFor();
    await expect(answer.innerText()).resolves.toContain(`Unlock the exam on this kiosk — seat ${cand.seat}, ${cand.name}`);
    const code = await page.getByTestId('offline-code').innerText();
    expect(code.replace(/[\s–]/g, '')).toMatch(/^[0-9A-Z]{10}$/);
    expect(await a11y(page)).toEqual([]);
    await shot(page, '40-offline-code');

    // The bundle the kiosk saved to a USB stick.
    const keys = (await call(`${s.api}/offline/keys`, 'GET')).body;
    const dir = await mkdtemp(join(tmpdir(), 'invigil-usb-'));
    const good = join(dir, `${cand.candidateId}-offline.invigil`);
    const text = testBundle({ keys, dev: k.dev, attemptId: k.attemptId, examId: x.examId, candidateId: cand.candidateId, answers: [{ questionId: 'q1', value: 'a', clientSeq: 3 }, { questionId: 'q3', value: 'written offline', clientSeq: 4 }], submitted: true });
    await writeFile(good, text);
    const bad = join(dir, 'tampered.invigil');
    await writeFile(bad, testBundle({ keys, dev: k.dev, attemptId: k.attemptId, examId: x.examId, candidateId: cand.candidateId, answers: [{ questionId: 'q1', value: 'a', clientSeq: 3 }], tamper: (b) => b.replace('"a"', '"b"') }));

    await page.getByLabel('Bundle file').setInputFiles(bad);
    await page.getByRole('button', { name: 'Upload and merge' }).click();
    await page.getByRole('alert').filter({ hasText: 'device signature' }).waitFor();
    await page.getByLabel('Bundle file').setInputFiles(good);
    await page.getByRole('button', { name: 'Upload and merge' }).click();
    const result = page.getByTestId('bundle-result');
    await result.waitFor();
    await expect(result.innerText()).resolves.toMatch(/Bundle merged\. Candidate C1002:\s+2 answers stored, 0 already on the server\.[\s\S]*handed in/);
    await shot(page, '41-offline-bundle', true);
    expect(errors).toEqual([]);

    const live = await call(`${s.api}/proctor/sessions?includeFinished=true`, 'GET', undefined, x.adminToken);
    expect(live.body.sessions.find((r: any) => r.attemptId === k.attemptId).status).toBe('completed');
  });
});
