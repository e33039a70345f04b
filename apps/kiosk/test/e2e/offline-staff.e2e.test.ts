import { startTcpProxy, type TcpProxy } from '@invigil/agent/testing';
import { call, provision, spawnServer, type Provisioned, type SpawnedServer } from '@invigil/server/testing';
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11y, buildRenderer, HAS_CHROMIUM, launch, shot, startPreview, watchErrors, type Preview } from './preview-harness.ts';

/**
 * The staff screens for what the agent already does, in Debian's Chromium against the real agent
 * (kiosk:preview, provisioned with the server's public key) and the real server: offline past the
 * pause threshold → a staff "continue" code from the real console route (POST
 * /proctor/sessions/{id}/offline-code) → answers taken again; the answers to a USB stick; a lock
 * lifted with an offline "unlock" code; a failed check a proctor waives (Start enabled, the reason
 * shown); the desk's exam set on the connect screen and prefilled for every candidate; quitting
 * with an offline code.
 */
const QUESTIONS = [
  { id: 'q1', type: 'single', prompt: 'Which planet is known as the Red Planet?', options: [{ id: 'venus', label: 'Venus' }, { id: 'mars', label: 'Mars' }], correct: ['mars'], points: 1 },
  { id: 'q2', type: 'text', prompt: 'Explain recursion in one sentence.' },
];

const saveLine = (page: Page) => page.getByTestId('save-state');
/** The challenge as the page shows it (three groups of five), joined as a proctor would type it. */
const readChallenge = async (page: Page) => {
  // Read until a whole challenge is there: a dialog that renders again between two reads (its state
  // changed under load) must not hand the proctor an empty one.
  let text = '';
  await expect
    .poll(async () => (text = (await page.getByTestId('offline-challenge').locator('.challenge-group').allTextContents()).join('-')), { timeout: 15_000 })
    .toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  return text;
};

async function signIn(page: Page, c: { candidateId: string; accessCode: string }, examId?: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
  if (examId) await page.getByLabel('Exam ID').fill(examId);
  await page.getByLabel('Candidate ID').fill(c.candidateId);
  await page.getByLabel('Access code').fill(c.accessCode);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.skipIf(!HAS_CHROMIUM)('kiosk: offline staff codes, USB stick, check waivers, the desk’s exam', () => {
  let server: SpawnedServer;
  let prov: Provisioned;
  let rendererDir: string;
  let browser: Browser;
  let serverPublicKey: string;
  const previews: Preview[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    rendererDir = await buildRenderer();
    // 500 ms heartbeats, paused after 3 missed: the kiosk holds the exam 1.5 s after the last heartbeat.
    server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '500' });
    prov = await provision(server, 4, { prefix: 'offui', questions: QUESTIONS, durationMinutes: 60 });
    serverPublicKey = (await call(`${server.api}/offline/keys`, 'GET')).body.signingPublicKey as string;
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    for (const p of previews) await p.stop();
    for (const p of proxies) await p.close();
    await server?.kill();
  });

  const attemptOf = async (candidateId: string) => {
    const live = await call(`${server.api}/proctor/sessions`, 'GET', undefined, prov.adminToken);
    return live.body.sessions.find((s: any) => s.candidate.id === candidateId).attemptId as string;
  };
  const proctorCode = async (attemptId: string, challenge: string) => {
    const r = await call(`${server.api}/proctor/sessions/${attemptId}/offline-code`, 'POST', { challenge, reason: 'network down in the room' }, prov.adminToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.code as string;
  };

  it('offline hold: answers to a USB stick, then a staff "continue" code lets the candidate type again; a lock lifted with an "unlock" code', async () => {
    const c = prov.candidates[0]!;
    const cable = await startTcpProxy(server.url);
    proxies.push(cable);
    const preview = await startPreview({ rendererDir, serverUrl: cable.url, serverPublicKey });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(preview.url);
    await signIn(page, c, prov.examId);
    await page.getByText('This computer is ready for your exam.').waitFor();
    await page.getByRole('button', { name: 'Start the exam' }).click();
    await page.getByLabel('Mars').check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    // The offline key arrives with the start (it is what makes the short code and the bundle work).
    await page.waitForFunction(async () => (await (globalThis as any).kiosk.getState({})).data.offline?.bundleAvailable === true);
    const attemptId = await attemptOf(c.candidateId);

    // ---- the network goes past the pause threshold: the exam is held
    cable.cut();
    const held = page.getByRole('alertdialog', { name: 'Your exam is paused: the connection is lost' });
    await held.waitFor();

    // ---- staff save a copy of the answers to a USB stick
    await held.getByRole('button', { name: 'Staff: save answers to a USB stick' }).click();
    await held.getByLabel('Save a copy (the exam goes on)').check();
    await held.getByRole('button', { name: 'Save a copy to USB stick' }).click();
    const saved = held.getByRole('status').filter({ hasText: 'Copy saved: 1 answer written to' });
    await saved.waitFor();
    const path = /written to (\S+)\./.exec((await saved.textContent())!)![1]!;
    expect(existsSync(path)).toBe(true);
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'k-01-held-bundle-saved');
    await held.getByRole('button', { name: 'Done' }).click();

    // ---- staff: continue offline (a wrong code first, then the proctor's code)
    await held.getByRole('button', { name: 'Staff: continue offline' }).click();
    const challenge = await readChallenge(page);
    expect(challenge).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await held.getByLabel('Code from the proctor').fill('AAAAA-AAAAA');
    await held.getByRole('button', { name: 'Continue the exam' }).click();
    await held.getByRole('alert').filter({ hasText: 'That code is not right (4 tries left for this challenge).' }).waitFor();
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'k-02-held-continue-wrong-code');
    await held.getByLabel('Code from the proctor').fill(await proctorCode(attemptId, challenge));
    await held.getByRole('button', { name: 'Continue the exam' }).click();
    await held.waitFor({ state: 'detached' });
    // Typing is allowed again, still offline: saved on this computer.
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByLabel(/Explain recursion/).fill('offline, after the continue code');
    await saveLine(page).filter({ hasText: /saved on this computer/i }).waitFor();
    await shot(page, 'k-03-continued-offline');

    // ---- the kiosk restarts while the network is still gone: answers wait for the server or a staff "continue" code
    await preview.kill();
    const again = await startPreview({ rendererDir, serverUrl: cable.url, serverPublicKey, dataDir: preview.dataDir });
    previews.push(again);
    await page.goto(again.url);
    const waiting = page.getByRole('alertdialog', { name: 'Waiting for the exam server' });
    await waiting.waitFor();
    expect(await page.evaluate(() => (globalThis as any).kiosk.saveAnswer({ questionId: 'q2', value: 'before the code' }))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'k-04-restarted-waiting');
    await waiting.getByRole('button', { name: 'Staff: continue offline' }).click();
    await waiting.getByLabel('Code from the proctor').fill(await proctorCode(attemptId, await readChallenge(page)));
    await waiting.getByRole('button', { name: 'Continue the exam' }).click();
    await waiting.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByLabel(/Explain recursion/).fill('after the restart and the continue code');
    await saveLine(page).filter({ hasText: /saved on this computer/i }).waitFor();

    // ---- back online; a proctor locks the exam; the network goes again: staff unlock it offline
    cable.restore();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    expect((await call(`${server.api}/proctor/sessions/${attemptId}/actions`, 'POST', { action: 'lock', reason: 'check the desk' }, prov.adminToken)).status).toBe(200);
    const locked = page.getByRole('alertdialog', { name: 'Your exam is locked' });
    await locked.waitFor();
    expect(await locked.getByRole('button', { name: 'Staff: unlock offline' }).count()).toBe(0); // online: the proctor unlocks from the console
    cable.cut();
    await locked.getByRole('button', { name: 'Staff: unlock offline' }).click();
    const unlockChallenge = await readChallenge(page);
    await shot(page, 'k-05-locked-unlock-offline');
    await locked.getByLabel('Code from the proctor').fill(await proctorCode(attemptId, unlockChallenge));
    await locked.getByRole('button', { name: 'Unlock' }).click();
    await locked.waitFor({ state: 'detached' });
    // The unlock code lifted the server's lock too: back online, the exam is not locked again.
    cable.restore();
    // Offline again after the unlock, the hold may come back; online, every overlay goes and the clock runs.
    await page.getByText('Time left').waitFor();
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await page.getByLabel(/Explain recursion/).fill('after the offline unlock');
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    const sheet = await page.evaluate(async () => (await (globalThis as any).kiosk.getAnswers({})).data.answers);
    expect(sheet.find((x: any) => x.questionId === 'q2')).toMatchObject({ value: 'after the offline unlock', synced: true });
    await shot(page, 'k-06-after-offline-unlock');
    expect(await page.getByRole('alertdialog').allTextContents()).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the desk’s exam is set on the connect screen and prefilled; a waived failed check enables Start; quit with an offline code', async () => {
    const [a, b] = [prov.candidates[1]!, prov.candidates[2]!];
    // Two displays: the displays check fails. No server yet: the connect screen first.
    const preview = await startPreview({ rendererDir, displays: 2, serverPublicKey });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(preview.url);
    await page.getByRole('heading', { name: 'Connect this computer' }).waitFor();
    await page.getByLabel('Exam server address').fill(server.url);
    await page.getByLabel(/Exam at this desk/).fill(prov.examId);
    await shot(page, 'k-07-connect-desk-exam');
    await page.getByRole('button', { name: 'Test and save' }).click();
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
    expect(await page.getByLabel('Exam ID').inputValue()).toBe(prov.examId);
    await signIn(page, a);

    // ---- the displays check fails: Start stays off until a proctor waives it
    await page.getByText('1 check failed.', { exact: false }).waitFor();
    const startBtn = page.getByRole('button', { name: 'Start the exam' });
    expect(await startBtn.isDisabled()).toBe(true);
    const w = await call(`${server.api}/proctor/exams/${prov.examId}/candidates/${a.candidateId}/check-waiver`, 'POST', { reason: 'the second monitor is covered', checks: ['displays'] }, prov.adminToken);
    expect(w.status).toBe(201);
    await page.getByRole('status').filter({ hasText: 'A proctor allowed you to start: the second monitor is covered' }).waitFor();
    await page.getByText('1 check failed, and a proctor allowed it: you can start.').waitFor();
    expect(await startBtn.isEnabled()).toBe(true);
    expect(await a11y(page)).toEqual([]);
    await startBtn.scrollIntoViewIfNeeded();
    await shot(page, 'k-08-checks-waived');
    await startBtn.click();
    await page.getByLabel('Mars').check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    const attemptA = await attemptOf(a.candidateId);
    await page.getByRole('button', { name: 'Submit exam…' }).click();
    await page.getByRole('dialog', { name: 'Submit your exam?' }).getByRole('button', { name: 'Submit my exam' }).click();
    await page.getByRole('button', { name: 'Sign out for the next candidate' }).click();

    // ---- the next candidate types only their candidate ID and access code
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
    expect(await page.getByLabel('Exam ID').inputValue()).toBe(prov.examId);
    await shot(page, 'k-09-next-candidate-exam-prefilled');
    await signIn(page, b);
    await page.getByRole('heading', { name: 'Checking this computer' }).waitFor();
    // Candidate B has no waiver: Start stays off.
    await page.getByText('1 check failed.', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Start the exam' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: /Sign out/ }).click();

    // ---- quit with an offline code (a finished seat's challenge is answered by the console too)
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
    await page.getByRole('button', { name: 'Staff: quit kiosk' }).click();
    const quit = page.getByRole('dialog', { name: 'Quit the kiosk' });
    await quit.getByRole('button', { name: 'Use an offline code from a proctor' }).click();
    const challenge = await readChallenge(page);
    await shot(page, 'k-10-quit-offline-challenge');
    await quit.getByLabel('Code from the proctor').fill(await proctorCode(attemptA, challenge));
    await quit.getByRole('button', { name: 'Quit' }).click();
    await quit.getByText('Code accepted: closing the kiosk…').waitFor();
    expect(preview.output()).toContain('a kiosk would quit now');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('time runs out offline after a continue code: "Time is up", and staff hand the answers in on a USB stick (the server takes the file)', async () => {
    const c = prov.candidates[3]!;
    const cable = await startTcpProxy(server.url);
    proxies.push(cable);
    const preview = await startPreview({ rendererDir, serverUrl: cable.url, serverPublicKey });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    // The page's clock is Playwright's: it runs as usual until the test moves it forward.
    await page.clock.install();
    await page.goto(preview.url);
    await signIn(page, c, prov.examId);
    await page.getByText('This computer is ready for your exam.').waitFor();
    await page.getByRole('button', { name: 'Start the exam' }).click();
    await page.getByLabel('Mars').check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.waitForFunction(async () => (await (globalThis as any).kiosk.getState({})).data.offline?.bundleAvailable === true);
    const attemptId = await attemptOf(c.candidateId);
    cable.cut();
    const held = page.getByRole('alertdialog', { name: 'Your exam is paused: the connection is lost' });
    await held.getByRole('button', { name: 'Staff: continue offline' }).click();
    await held.getByLabel('Code from the proctor').fill(await proctorCode(attemptId, await readChallenge(page)));
    await held.getByRole('button', { name: 'Continue the exam' }).click();
    await held.waitFor({ state: 'detached' });

    // ---- the hour goes by (the page's clock), still offline
    await page.clock.fastForward(61 * 60_000);
    const timeUp = page.getByRole('alertdialog', { name: 'Time is up' });
    await timeUp.waitFor();
    await timeUp.getByRole('button', { name: 'Staff: save answers to a USB stick' }).click();
    expect(await timeUp.getByLabel('Hand in (submit): the candidate is finished').isChecked()).toBe(true);
    await timeUp.getByRole('button', { name: 'Hand in to USB stick' }).click();
    const done = timeUp.getByRole('status').filter({ hasText: 'Handed in: 1 answer written to' });
    await done.waitFor();
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'k-11-time-up-offline-handed-in');
    const path = /written to (\S+)\./.exec((await done.textContent())!)![1]!;
    const up = await call(`${server.api}/proctor/offline-bundles`, 'POST', { bundle: readFileSync(path, 'utf8') }, prov.adminToken);
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body).toMatchObject({ attemptId, submittedNow: true, status: 'completed' });
    expect(errors).toEqual([]);
    await page.close();
  });
});
