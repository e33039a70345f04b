import { startTcpProxy, type TcpProxy } from '@invigil/agent/testing';
import { call, candidateLogin, provision, spawnServer, type Provisioned, type SpawnedServer } from '@invigil/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11y, buildRenderer, HAS_CHROMIUM, launch, shot, startPreview, watchErrors, type Preview } from './preview-harness.ts';

const QUESTIONS = [
  { id: 'q1', type: 'single', prompt: 'Which planet is known as the Red Planet?', options: [{ id: 'venus', label: 'Venus' }, { id: 'mars', label: 'Mars' }, { id: 'jupiter', label: 'Jupiter' }], correct: ['mars'], points: 1 },
  { id: 'q2', type: 'multiple', prompt: 'Which of these numbers are prime?', options: [{ id: 'n2', label: '2' }, { id: 'n3', label: '3' }, { id: 'n4', label: '4' }, { id: 'n9', label: '9' }], correct: ['n2', 'n3'], points: 2 },
  { id: 'q3', type: 'text', prompt: 'In two or three sentences, explain what recursion is.' },
  { id: 'q4', type: 'single', prompt: 'At sea level, water boils at…', options: [{ id: 'c90', label: '90 °C' }, { id: 'c100', label: '100 °C' }, { id: 'c120', label: '120 °C' }], correct: ['c100'], points: 1 },
];

async function storedAnswers(server: SpawnedServer, examId: string, c: { candidateId: string; accessCode: string }, attemptId: string): Promise<Record<string, unknown>> {
  const token = await candidateLogin(server, examId, c);
  const r = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
  expect(r.status).toBe(200);
  return Object.fromEntries(r.body.answers.map((a: any) => [a.questionId, a.value]));
}

async function attemptOf(server: SpawnedServer, adminToken: string, candidateId: string): Promise<any> {
  const r = await call(`${server.api}/proctor/sessions?includeFinished=true`, 'GET', undefined, adminToken);
  return r.body.sessions.find((s: any) => s.candidate.id === candidateId);
}

/** The save state line under the current question. */
const saveLine = (page: Page) => page.getByTestId('save-state');

/** The question list's entries ("Question N" + where its answer is). */
const questionButtons = (page: Page) => page.getByRole('navigation', { name: 'Questions' }).getByRole('button', { name: /^Question \d/ });

async function signIn(page: Page, examId: string, c: { candidateId: string; accessCode: string }): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
  await page.getByLabel('Exam ID').fill(examId);
  await page.getByLabel('Candidate ID').fill(c.candidateId);
  await page.getByLabel('Access code').fill(c.accessCode);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.skipIf(!HAS_CHROMIUM)('kiosk renderer + real agent (kiosk:preview) against the real server', () => {
  let server: SpawnedServer;
  let prov: Provisioned;
  let rendererDir: string;
  let browser: Browser;
  const previews: Preview[] = [];

  beforeAll(async () => {
    rendererDir = await buildRenderer();
    server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '1000' });
    prov = await provision(server, 5, { prefix: 'kiosk', questions: QUESTIONS, durationMinutes: 90 });
    browser = await launch();
  });

  const proxies: TcpProxy[] = [];

  afterAll(async () => {
    await browser?.close();
    for (const p of previews) await p.stop();
    for (const p of proxies) await p.close();
    await server?.kill();
  });

  it('connect → sign in → checks → answer → the server goes away (offline, still saving here) → comes back (synced) → staff message and lock → submit', async () => {
    const c = prov.candidates[0]!;
    const preview = await startPreview({ rendererDir });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(preview.url);

    // The preview says loudly that it is not locked down.
    await page.getByText('PREVIEW — no lockdown').waitFor();

    // ---- connect screen: a wrong address is refused with a reason, the right one is tested and kept
    await page.getByRole('heading', { name: 'Connect this computer' }).waitFor();
    await shot(page, '01-connect');
    // Staff can quit the kiosk outside an exam with the unlock code (the preview has none and says so).
    await page.getByRole('button', { name: 'Staff: quit kiosk' }).click();
    const quit = page.getByRole('dialog', { name: 'Quit the kiosk' });
    await quit.getByLabel('Staff unlock code').fill('1234-5678');
    await quit.getByRole('button', { name: 'Quit' }).click();
    await quit.getByRole('alert').filter({ hasText: 'The preview has no staff quit' }).waitFor();
    await quit.getByRole('button', { name: 'Cancel' }).click();
    await quit.waitFor({ state: 'detached' });
    await page.getByLabel('Exam server address').fill('http://127.0.0.1:1');
    await page.getByRole('button', { name: 'Test and save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Cannot reach http://127.0.0.1:1' }).waitFor();
    await shot(page, '02-connect-unreachable');
    await page.getByLabel('Exam server address').fill(server.url);
    await page.getByLabel(/Exam center/).fill('north-hall');
    await page.getByRole('button', { name: 'Test and save' }).click();

    // ---- sign in
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
    await page.getByText(server.url).waitFor();
    expect(await a11y(page)).toEqual([]);
    await page.getByLabel('Exam ID').fill(prov.examId);
    await page.getByLabel('Candidate ID').fill(c.candidateId);
    await page.getByLabel('Access code').fill('wrong-code-1234');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'These details do not match' }).waitFor();
    await shot(page, '03-login-wrong-code');
    await page.getByLabel('Access code').fill(c.accessCode);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // ---- pre-exam checks
    await page.getByRole('heading', { name: 'Checking this computer' }).waitFor();
    await page.getByText('This computer is ready for your exam.').waitFor();
    for (const label of ['Exam server', 'Clock', 'Displays', 'Other programs', 'Physical computer', 'Saving answers']) {
      await page.locator('.check-row', { hasText: label }).getByText('Passed').waitFor();
    }
    expect(await a11y(page)).toEqual([]);
    await shot(page, '04-checks');
    await page.getByRole('button', { name: 'Start the exam' }).click();

    // ---- the exam: every answer is saved here first, then on the server
    await page.getByRole('heading', { name: 'Test exam' }).waitFor();
    await page.getByRole('heading', { name: 'Question 1 of 4' }).waitFor();
    await page.getByLabel('Mars').check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByLabel('2', { exact: true }).check();
    await page.getByLabel('3', { exact: true }).check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByLabel(QUESTIONS[2]!.prompt).fill('A function that calls itself');
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByText('All answers saved to server').waitFor();
    expect(await page.getByRole('timer').textContent()).toMatch(/^1:(29|30):\d\d$/);
    expect(await a11y(page)).toEqual([]);
    await shot(page, '05-exam-text-question');
    const attempt = await attemptOf(server, prov.adminToken, c.candidateId);
    expect(attempt).toMatchObject({ status: 'active' });

    // ---- the server goes away: the candidate is told, and keeps working
    await server.kill('SIGKILL');
    await page.getByText('Offline — your answers are safe on this computer').waitFor();
    await page.getByLabel(QUESTIONS[2]!.prompt).fill('A function that calls itself, on a smaller problem, until a base case stops it.');
    await saveLine(page).filter({ hasText: 'Saved on this computer' }).waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByRole('heading', { name: 'Question 4 of 4' }).waitFor();
    await page.getByLabel('100 °C').check();
    await saveLine(page).filter({ hasText: 'Saved on this computer' }).waitFor();
    await page.getByText('2 answers saved on this computer, waiting for the connection').waitFor();
    expect(await page.getByRole('button', { name: /Question 3/ }).textContent()).toContain('Saved on this computer');
    await shot(page, '06-offline-saved-locally');

    // ---- the server comes back on the same port and data: the banner goes, the answers sync
    server = await server.restart();
    await page.getByText('Offline — your answers are safe on this computer').waitFor({ state: 'detached' });
    await page.getByText('All answers saved to server').waitFor();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByRole('button', { name: /Question 3.*Saved to server/ }).waitFor();
    await shot(page, '07-back-online-synced');

    // ---- staff: a message (a dialog the candidate dismisses), then a lock (an overlay only staff lift)
    const act = (body: unknown) => call(`${server.api}/proctor/sessions/${attempt.attemptId}/actions`, 'POST', body, prov.adminToken);
    expect((await act({ action: 'message', message: 'Twenty minutes left. Check your answers.' })).status).toBe(200);
    const message = page.getByRole('alertdialog', { name: 'Message from the exam staff' });
    await message.getByText('Twenty minutes left. Check your answers.').waitFor();
    await shot(page, '08-staff-message');
    await message.getByRole('button', { name: 'OK' }).click();
    await message.waitFor({ state: 'detached' });
    expect((await act({ action: 'lock', reason: 'phone on the desk' })).status).toBe(200);
    const lock = page.getByRole('alertdialog', { name: 'Your exam is locked' });
    await lock.waitFor();
    await page.getByText('Clock stopped').waitFor();
    await shot(page, '09-locked');
    expect((await act({ action: 'unlock', reason: 'phone handed in' })).status).toBe(200);
    await lock.waitFor({ state: 'detached' });
    await page.getByText('Time left').waitFor();
    expect((await act({ action: 'pause', reason: 'fire drill' })).status).toBe(200);
    const paused = page.getByRole('alertdialog', { name: 'Your exam is paused by staff' });
    await paused.waitFor();
    await shot(page, '09b-paused-by-staff');
    expect((await act({ action: 'resume', reason: 'drill over' })).status).toBe(200);
    await paused.waitFor({ state: 'detached' });
    await page.getByText('Time left').waitFor();

    // ---- submit, with a confirmation
    await page.getByRole('button', { name: 'Finish and submit…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Submit your exam?' });
    await confirm.getByText('4 of 4').waitFor();
    await shot(page, '10-submit-confirm');
    await confirm.getByRole('button', { name: 'Submit my exam' }).click();
    await page.getByRole('heading', { name: 'Your exam is submitted' }).waitFor();
    await shot(page, '11-finished');
    await page.getByRole('button', { name: 'Sign out for the next candidate' }).click();
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();

    // ---- on the server: the attempt is completed and every answer is there, in its last version
    expect(await attemptOf(server, prov.adminToken, c.candidateId)).toMatchObject({ status: 'completed' });
    expect(await storedAnswers(server, prov.examId, c, attempt.attemptId)).toEqual({
      q1: 'mars',
      q2: ['n2', 'n3'],
      q3: 'A function that calls itself, on a smaller problem, until a base case stops it.',
      q4: 'c100',
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a failed check (a second display) keeps the exam from starting and says why', async () => {
    const c = prov.candidates[2]!;
    const preview = await startPreview({ rendererDir, serverUrl: server.url, displays: 2 });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(preview.url);
    await page.getByLabel('Exam ID').fill(prov.examId);
    await page.getByLabel('Candidate ID').fill(c.candidateId);
    await page.getByLabel('Access code').fill(c.accessCode);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('1 check failed.', { exact: false }).waitFor();
    const row = page.locator('.check-row', { hasText: 'Displays' });
    await row.getByText('Failed').waitFor();
    expect(await row.textContent()).toContain('2 displays are connected. Only one is allowed');
    expect(await page.getByRole('button', { name: 'Start the exam' }).isDisabled()).toBe(true);
    expect(await a11y(page)).toEqual([]);
    await shot(page, '14-checks-failed');
    expect(await attemptOf(server, prov.adminToken, c.candidateId)).toBeUndefined(); // nothing started
    // Not this candidate's computer after all: sign out, back to the sign-in screen, empty.
    await page.getByRole('button', { name: `Not ${c.candidateId}? Sign out` }).click();
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
    expect(await page.getByLabel('Candidate ID').inputValue()).toBe('');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('moved to another desk: the candidate signs in with the resume code, the answers are back, the exam continues', async () => {
    const c = prov.candidates[1]!;
    // The first desk (a plain API client here): starts the attempt and saves two answers.
    const token = await candidateLogin(server, prov.examId, c);
    const started = await call(`${server.api}/exams/sessions/start`, 'POST', { examSetId: prov.examId }, token);
    expect(started.status).toBe(201);
    const attemptId = started.body.attemptId as string;
    for (const [q, value, seq] of [['q1', 'venus', 1], ['q3', 'Written at the first desk.', 2]] as const) {
      expect((await call(`${server.api}/exams/sessions/${attemptId}/answers/${q}`, 'PUT', { value, clientSeq: seq }, token)).status).toBe(200);
    }
    // The proctor moves the candidate and reads out the one-time resume code.
    const t = await call(`${server.api}/proctor/sessions/${attemptId}/transfer`, 'POST', { reason: 'broken keyboard' }, prov.adminToken);
    expect(t.status).toBe(200);

    const preview = await startPreview({ rendererDir, serverUrl: server.url });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(preview.url);
    await page.getByRole('heading', { name: 'Sign in to your exam' }).waitFor();
    await page.getByLabel('Exam ID').fill(prov.examId);
    await page.getByLabel('Candidate ID').fill(c.candidateId);
    await page.getByLabel('Access code').fill(c.accessCode);
    await page.getByLabel('I was moved here from another desk').check();
    await page.getByLabel('Resume code from the proctor').fill(t.body.resumeCode);
    expect(await a11y(page)).toEqual([]);
    await shot(page, '12-login-transferred');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByText('This computer is ready for your exam.').waitFor();
    await page.getByRole('button', { name: 'Continue my exam' }).click();
    // Where it resumed: at the first question without an answer.
    await page.getByText('Your exam continues at this desk, where you left off; 2 answers restored. You are at question 2, the first without an answer.').waitFor();
    await page.getByRole('heading', { name: 'Question 2 of 4' }).waitFor();
    await page.getByRole('button', { name: /^Question 1/ }).click();
    expect(await page.getByLabel('Venus').isChecked()).toBe(true);
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await shot(page, '13-transferred-restored');
    // Keyboard only: arrow keys move the choice within the question's radio group.
    await page.getByLabel('Venus').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.getByLabel('Mars').isChecked()).toBe(true);
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();

    // Heartbeats now come from this desk's device key.
    const live = await attemptOf(server, prov.adminToken, c.candidateId);
    expect(live).toMatchObject({ status: 'active', device: { bound: true } });

    await page.getByRole('button', { name: 'Submit exam…' }).click();
    await page.getByRole('dialog', { name: 'Submit your exam?' }).getByRole('button', { name: 'Submit my exam' }).click();
    await page.getByRole('heading', { name: 'Your exam is submitted' }).waitFor();
    expect(await storedAnswers(server, prov.examId, c, attemptId)).toEqual({ q1: 'mars', q3: 'Written at the first desk.' });
    expect(errors).toEqual([]);
    await page.close();
  });
  it('two candidates in sequence on one kiosk, the first one recovered after a crash: the second sees nothing of the first', async () => {
    const a = prov.candidates[3]!;
    const b = prov.candidates[4]!;
    // The kiosk reaches the server through a cable the test can pull.
    const cable = await startTcpProxy(server.url);
    proxies.push(cable);
    let preview = await startPreview({ rendererDir, serverUrl: cable.url });
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(preview.url);

    // ---- candidate A answers three questions, each reaching the server
    await signIn(page, prov.examId, a);
    await page.getByText('This computer is ready for your exam.').waitFor();
    await page.getByRole('button', { name: 'Start the exam' }).click();
    await page.getByRole('heading', { name: 'Question 1 of 4' }).waitFor();
    await page.getByLabel('Mars').check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByLabel('2', { exact: true }).check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByLabel(QUESTIONS[2]!.prompt).fill("Candidate A's essay: recursion is a function calling itself.");
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByText('All answers saved to server').waitFor();

    // ---- the kiosk crashes and comes back on the same data while the network is down; then the network returns
    await preview.kill();
    cable.cut();
    preview = await startPreview({ rendererDir, serverUrl: cable.url, dataDir: preview.dataDir });
    previews.push(preview);
    await page.goto(preview.url);
    await page.getByText('Offline — your answers are safe on this computer').waitFor();
    cable.restore();
    await page.getByText('Your session was recovered; 3 answers restored.').waitFor();
    await page.getByRole('button', { name: 'Question 4' }).click();
    await page.getByLabel('100 °C').check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByRole('button', { name: 'Finish and submit…' }).click();
    const confirmA = page.getByRole('dialog', { name: 'Submit your exam?' });
    await confirmA.getByText('4 of 4').waitFor();
    await confirmA.getByRole('button', { name: 'Submit my exam' }).click();
    await page.getByRole('heading', { name: 'Your exam is submitted' }).waitFor();
    await page.getByRole('button', { name: 'Sign out for the next candidate' }).click();

    // ---- candidate B on the same kiosk, the same page
    await signIn(page, prov.examId, b);
    await page.getByText('This computer is ready for your exam.').waitFor();
    await page.getByRole('button', { name: 'Start the exam' }).click();
    await page.getByRole('heading', { name: 'Question 1 of 4' }).waitFor();
    await page.getByText(`Candidate ${b.candidateId}`).waitFor();
    await page.getByText('(0 of 4 answered)').waitFor();
    const marks = await questionButtons(page).allTextContents();
    expect(marks).toHaveLength(4);
    for (const m of marks) expect(m).toContain('Not answered yet');
    expect(await page.locator('.qnav-st', { hasText: 'Saved' }).count()).toBe(0);
    expect(await saveLine(page).textContent()).toContain('Not answered yet');
    expect(await page.getByText(/session was recovered|answers? restored/).count()).toBe(0);
    expect(await page.getByLabel('Mars').isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Question 3' }).click();
    expect(await page.getByLabel(QUESTIONS[2]!.prompt).inputValue()).toBe('');
    await shot(page, '15-next-candidate-exam');
    await page.getByRole('button', { name: 'Submit exam…' }).click();
    const confirmB = page.getByRole('dialog', { name: 'Submit your exam?' });
    await confirmB.getByText('0 of 4').waitFor();
    expect(await confirmB.textContent()).toContain('4 questions have no answer.');
    await shot(page, '16-next-candidate-submit-confirm');
    await confirmB.getByRole('button', { name: 'Go back to my exam' }).click();
    await confirmB.waitFor({ state: 'detached' });

    // B's own answer, and only B's, is counted and stored.
    await page.getByRole('button', { name: 'Question 4' }).click();
    await page.getByLabel('90 °C').check();
    await saveLine(page).filter({ hasText: 'Saved to server' }).waitFor();
    await page.getByText('(1 of 4 answered)').waitFor();
    await page.getByRole('button', { name: 'Finish and submit…' }).click();
    await page.getByRole('dialog', { name: 'Submit your exam?' }).getByText('1 of 4').waitFor();
    await page.getByRole('dialog', { name: 'Submit your exam?' }).getByRole('button', { name: 'Submit my exam' }).click();
    await page.getByRole('heading', { name: 'Your exam is submitted' }).waitFor();

    const attemptA = await attemptOf(server, prov.adminToken, a.candidateId);
    const attemptB = await attemptOf(server, prov.adminToken, b.candidateId);
    expect(await storedAnswers(server, prov.examId, b, attemptB.attemptId)).toEqual({ q4: 'c90' });
    expect(await storedAnswers(server, prov.examId, a, attemptA.attemptId)).toEqual({
      q1: 'mars',
      q2: ['n2'],
      q3: "Candidate A's essay: recursion is a function calling itself.",
      q4: 'c100',
    });
    expect(errors).toEqual([]);
    await page.close();
  });
});
