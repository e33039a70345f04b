import { startTcpProxy, type TcpProxy } from '@invigil/agent/testing';
import { call, provision, spawnServer, type Provisioned, type SpawnedServer } from '@invigil/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashQuitCode } from '../../src/main/policy/quit-code.ts';
import { a11y, buildRenderer, HAS_CHROMIUM, launch, shot, startPreview, watchErrors, type Preview } from './preview-harness.ts';

/**
 * Issue I in Debian's Chromium against the real agent (kiosk:preview) and the real server: the staff
 * code before the server can be changed; the cover page, text size and contrast; flags and the
 * summary before submitting; the raised hand a proctor sees; offline past the pause threshold
 * ("Clock stopped — reconnecting", the exam held); the 5- and 1-minute warnings (the page's clock
 * moved forward, no sleeping); a transfer with the right words at both desks.
 */
const QUESTIONS = [
  { id: 'q1', type: 'single', prompt: 'Which planet is known as the Red Planet?', options: [{ id: 'venus', label: 'Venus' }, { id: 'mars', label: 'Mars' }], correct: ['mars'], points: 1 },
  { id: 'q2', type: 'multiple', prompt: 'Which of these numbers are prime?', options: [{ id: 'n2', label: '2' }, { id: 'n4', label: '4' }], correct: ['n2'], points: 1 },
  { id: 'q3', type: 'text', prompt: 'Explain recursion in one sentence.' },
  { id: 'q4', type: 'single', prompt: 'At sea level, water boils at…', options: [{ id: 'c90', label: '90 °C' }, { id: 'c100', label: '100 °C' }], correct: ['c100'], points: 1 },
];
const STAFF_CODE = 'staff-code-4242-north';

const saveLine = (page: Page) => page.getByTestId('save-state');

async function signIn(page: Page, examId: string, c: { candidateId: string; accessCode: string }, resumeCode?: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
  await page.getByLabel('Exam ID').fill(examId);
  await page.getByLabel('Candidate ID').fill(c.candidateId);
  await page.getByLabel('Access code').fill(c.accessCode);
  if (resumeCode) {
    await page.getByLabel('I was moved here from another desk').check();
    await page.getByLabel('Resume code from the proctor').fill(resumeCode);
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.skipIf(!HAS_CHROMIUM)('kiosk: staff code, accommodations, flags, raised hand, offline hold, time warnings, transfer texts', () => {
  let server: SpawnedServer;
  let prov: Provisioned;
  let rendererDir: string;
  let browser: Browser;
  const previews: Preview[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    rendererDir = await buildRenderer();
    // 500 ms heartbeats, paused after 3 missed: the kiosk holds the exam 1.5 s after the last heartbeat.
    server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '500' });
    prov = await provision(server, 3, { prefix: 'care', questions: QUESTIONS, durationMinutes: 90 });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    for (const p of previews) await p.stop();
    for (const p of proxies) await p.close();
    await server?.kill();
  });

  it('"Change (staff)" asks for the staff code first; without it the agent refuses to change the server', async () => {
    const preview = await startPreview({ rendererDir, serverUrl: server.url, staffCodeHash: await hashQuitCode(STAFF_CODE, 14) });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(preview.url);
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
    await page.getByRole('button', { name: 'Change (staff)' }).click();
    await page.getByRole('heading', { name: 'Staff code needed' }).waitFor();
    expect(await page.getByLabel('Exam server address').count()).toBe(0);
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'i-01-staff-code-needed');
    await page.getByLabel('Staff code').fill('not-the-code-123');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'That staff code is not right.' }).waitFor();
    await shot(page, 'i-02-staff-code-wrong');
    // Past the form, straight at the agent: refused too.
    const direct = await page.evaluate(() => (globalThis as any).kiosk.configure({ serverUrl: 'http://127.0.0.1:1' }));
    expect(direct).toEqual({ ok: false, error: { code: 'STAFF_CODE_REQUIRED', message: 'Changing the exam server needs the staff code.' } });
    await page.getByLabel('Staff code').fill(STAFF_CODE);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Connect this computer' }).waitFor();
    expect(await page.getByLabel('Exam server address').inputValue()).toBe(server.url);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
    // Cancelled: the next change needs the code again.
    await page.getByRole('button', { name: 'Change (staff)' }).click();
    await page.getByRole('heading', { name: 'Staff code needed' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('one candidate: cover page, text size and contrast, flags and the summary, raised hand, offline hold, time warnings', async () => {
    const c = prov.candidates[0]!;
    const cable = await startTcpProxy(server.url);
    proxies.push(cable);
    const preview = await startPreview({ rendererDir, serverUrl: cable.url });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors = watchErrors(page);
    // The page's clock is Playwright's: it runs as usual until the test moves it forward.
    await page.clock.install();
    await page.goto(preview.url);
    await signIn(page, prov.examId, c);

    // ---- the check screen: who and which exam, in words
    await page.getByText('This computer is ready for your exam.').waitFor();
    const cover = page.getByLabel('Your exam');
    await cover.getByText('Candidate 1').waitFor();
    await cover.getByText('Test exam').waitFor();
    await cover.getByText('90 minutes').waitFor();
    expect(await page.locator('.check-row', { hasText: 'Physical computer' }).textContent()).toContain('This looks like a physical computer.');
    expect(await page.locator('.checks').textContent()).not.toMatch(/risk|limit \d/i);

    // ---- text size (four steps) and high contrast
    await page.getByRole('button', { name: 'Larger text' }).click();
    await page.getByText('Text size: Large').waitFor();
    await page.getByRole('button', { name: 'Larger text' }).click();
    await page.getByText('Text size: Larger').waitFor();
    await page.getByRole('button', { name: 'High contrast' }).click();
    await page.locator('html.theme-contrast.text-2').waitFor({ state: 'attached' });
    expect(await page.getByRole('button', { name: 'High contrast' }).getAttribute('aria-pressed')).toBe('true');
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'i-03-checks-cover-large-contrast');
    await page.getByRole('button', { name: 'Start the exam' }).click();

    // ---- the exam keeps the choices
    await page.getByRole('heading', { name: 'Question 1 of 4' }).waitFor();
    expect(await page.locator('html').getAttribute('class')).toMatch(/text-2.*theme-contrast|theme-contrast.*text-2/);
    await page.getByLabel('Mars').check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'i-04-exam-large-contrast');
    await page.getByRole('button', { name: 'Smaller text' }).click();
    await page.getByRole('button', { name: 'Smaller text' }).click();
    await page.getByRole('button', { name: 'High contrast' }).click();
    await page.locator('html.text-0:not(.theme-contrast)').waitFor({ state: 'attached' });

    // ---- flag for review, and the summary before submitting
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByRole('heading', { name: 'Question 2 of 4' }).waitFor();
    await page.getByRole('button', { name: 'Flag for review' }).click();
    await page.getByRole('navigation', { name: 'Questions' }).getByRole('button', { name: /^Question 2 Flagged for review/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Flag for review' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Submit exam…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Submit your exam?' });
    await confirm.getByText('Not answered: questions 2, 3 and 4.').waitFor();
    await confirm.getByText('Flagged for review: question 2.').waitFor();
    expect(await a11y(page)).toEqual([]);
    await shot(page, 'i-05-submit-summary');
    await confirm.getByRole('button', { name: 'Go to question 2' }).first().click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Question 2 of 4' }).waitFor();

    // ---- raise hand: the proctors get an alert; acknowledged, the kiosk says so
    await page.getByRole('button', { name: 'Raise hand' }).click();
    await page.getByText('Your request was sent. A proctor will come to you.').waitFor();
    const live = await call(`${server.api}/proctor/sessions`, 'GET', undefined, prov.adminToken);
    const attemptId = live.body.sessions.find((s: any) => s.candidate.id === c.candidateId).attemptId as string;
    let alert: any;
    for (let i = 0; i < 100 && !alert; i++) {
      const r = await call(`${server.api}/proctor/alerts?state=open&attemptId=${attemptId}`, 'GET', undefined, prov.adminToken);
      alert = r.body.alerts.find((a: any) => a.kind === 'help_requested');
      if (!alert) await page.waitForTimeout(100);
    }
    expect(alert).toMatchObject({ message: 'the candidate raised a hand: help requested' });
    expect((await call(`${server.api}/proctor/alerts/${alert.id}/ack`, 'POST', undefined, prov.adminToken)).status).toBe(200);
    await page.getByText('A proctor has seen your request').waitFor();
    await shot(page, 'i-06-help-seen');

    // ---- the network goes: offline first (answers still taken), then past the threshold the exam is held
    cable.cut();
    await page.getByText('Offline — your answers are safe on this computer').waitFor();
    const held = page.getByRole('alertdialog', { name: 'Your exam is paused: the connection is lost' });
    await held.waitFor();
    await page.getByText('Clock stopped — reconnecting').waitFor();
    const stoppedAt = await page.getByRole('timer').textContent();
    expect(await page.evaluate(() => (globalThis as any).kiosk.saveAnswer({ questionId: 'q3', value: 'typed while held' }))).toMatchObject({ ok: false, error: { code: 'EXAM_HELD' } });
    await page.clock.fastForward(5_000);
    expect(await page.getByRole('timer').textContent()).toBe(stoppedAt); // stopped, not counting down
    await shot(page, 'i-07-offline-clock-stopped');
    cable.restore();
    await held.waitFor({ state: 'detached' });
    await page.getByText('Time left').waitFor();
    await page.getByLabel('2', { exact: true }).check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();

    // ---- time runs low: the page's clock moves forward (the server's deadline stays where it is)
    await page.clock.fastForward(85.5 * 60_000);
    const five = page.getByRole('alert').filter({ hasText: '5 minutes left.' });
    await five.waitFor();
    await shot(page, 'i-08-five-minutes-left');
    await page.clock.fastForward(4 * 60_000);
    await page.getByRole('alert').filter({ hasText: '1 minute left.' }).waitFor();
    await shot(page, 'i-09-one-minute-left');

    await page.getByRole('button', { name: 'Submit exam…' }).click();
    await page.getByRole('dialog', { name: 'Submit your exam?' }).getByRole('button', { name: 'Submit my exam' }).click();
    await page.getByRole('heading', { name: 'Your exam is submitted' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a transfer: the old desk says the exam is moving (with the proctor’s message), then closes; the new desk says where it resumed', async () => {
    const c = prov.candidates[1]!;
    const deskA = await startPreview({ rendererDir, serverUrl: server.url });
    previews.push(deskA);
    const a = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errorsA = watchErrors(a);
    await a.goto(deskA.url);
    await signIn(a, prov.examId, c);
    await a.getByText('This computer is ready for your exam.').waitFor();
    await a.getByRole('button', { name: 'Start the exam' }).click();
    await a.getByLabel('Mars').check();
    await saveLine(a).filter({ hasText: 'Saved to server' }).waitFor();

    const live = await call(`${server.api}/proctor/sessions`, 'GET', undefined, prov.adminToken);
    const attemptId = live.body.sessions.find((s: any) => s.candidate.id === c.candidateId).attemptId as string;
    const t = await call(`${server.api}/proctor/sessions/${attemptId}/transfer`, 'POST', { reason: 'broken keyboard' }, prov.adminToken);
    expect(t.status).toBe(200);
    await a.getByRole('heading', { name: 'Your exam is moving to another desk' }).waitFor();
    await a.getByText('Please move to the desk the proctor shows you. Your answers are safe.').waitFor();
    expect(await a.getByText(/continues when staff resume it|Sign in again/).count()).toBe(0);
    expect(await a.getByRole('button', { name: 'Staff: quit kiosk' }).count()).toBe(0);
    expect(await a11y(a)).toEqual([]);
    await shot(a, 'i-10-old-desk-moving');

    const deskB = await startPreview({ rendererDir, serverUrl: server.url });
    previews.push(deskB);
    const b = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errorsB = watchErrors(b);
    await b.goto(deskB.url);
    await signIn(b, prov.examId, c, t.body.resumeCode);
    await b.getByText('This computer is ready for your exam.').waitFor();
    await b.getByRole('button', { name: 'Continue my exam' }).click();
    await b.getByText('Your exam continues at this desk, where you left off; 1 answer restored. You are at question 2, the first without an answer.').waitFor();
    await b.getByRole('heading', { name: 'Question 2 of 4' }).waitFor();
    await shot(b, 'i-11-new-desk-resumed');

    await a.getByRole('heading', { name: 'This desk is closed' }).waitFor();
    await a.getByText('Your exam continues at your new desk.').waitFor();
    // Staff may quit the closed desk (while the candidate was being moved they could not).
    await a.getByRole('button', { name: 'Staff: quit kiosk' }).waitFor();
    await shot(a, 'i-12-old-desk-closed');
    await a.getByRole('button', { name: 'Sign out for the next candidate' }).click();
    await a.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();

    await b.getByLabel('2', { exact: true }).check();
    await saveLine(b).filter({ hasText: 'Saved to server' }).waitFor();
    await b.getByRole('button', { name: 'Submit exam…' }).click();
    await b.getByRole('dialog', { name: 'Submit your exam?' }).getByRole('button', { name: 'Submit my exam' }).click();
    await b.getByRole('heading', { name: 'Your exam is submitted' }).waitFor();
    expect(errorsA).toEqual([]);
    expect(errorsB).toEqual([]);
    await a.close();
    await b.close();
  });
});
