import { call, candidateLogin, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11y, HAS_CHROMIUM, launch, shot, watchErrors } from './browser.ts';
import { setupExam, type Setup } from './fixtures.ts';
import { Kiosk } from './kiosk.ts';

/**
 * Sign-in troubles in the console, in Chromium against the real server: a proctor at the deny-new
 * limit signs in by ending their oldest session; an admin sees a candidate's sign-ins, ends them and
 * lifts the candidate's sign-in delay.
 */
describe.skipIf(!HAS_CHROMIUM)('console: sign-in troubles', () => {
  let s: SpawnedServer;
  let x: Setup;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '5000' });
    x = await setupExam(s, 3, 'Sign-ins — Paper 1');
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.kill();
  });

  const signInPage = async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = watchErrors(page);
    await page.goto(`${s.url}/console/login`);
  };

  it('a proctor at the session limit whose tabs lost their tokens: "Sign in and end my oldest session"', async () => {
    const tabs: string[] = [];
    for (let i = 0; i < 5; i++) tabs.push((await call(`${s.api}/auth/staff/login`, 'POST', x.proctor)).body.token);
    await signInPage();
    await page.getByLabel('Username').fill(x.proctor.username);
    await page.getByLabel('Password').fill(x.proctor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const endOldest = page.getByRole('button', { name: 'Sign in and end my oldest session' });
    await endOldest.waitFor();
    await page.getByText(/sign in and end your oldest session/).waitFor();
    await shot(page, 'sign-in-at-limit');
    expect(await a11y(page)).toEqual([]);
    await endOldest.click();
    await page.getByRole('link', { name: 'Live room' }).waitFor();
    expect((await call(`${s.api}/sessions/count`, 'GET', undefined, tabs[0])).status).toBe(401);
    expect((await call(`${s.api}/sessions/count`, 'GET', undefined, tabs[4])).status).toBe(200);
    expect(errors.filter((e) => !/409/.test(e))).toEqual([]);
    await page.close();
  });

  it('an admin opens a candidate’s sign-ins from the roster, ends them, and lifts the sign-in delay', async () => {
    const c = x.candidates[0]!;
    const kioskToken = await candidateLogin(s, x.examId, c, 'Mozilla/5.0 (X11; Linux x86_64) InvigilKiosk/0.1 Electron/39.0.0');
    for (let i = 0; i < 6; i++) await call(`${s.api}/auth/candidate/login`, 'POST', { examId: x.examId, candidateId: c.candidateId, accessCode: `wrong-${i}` });
    expect((await call(`${s.api}/auth/candidate/login`, 'POST', { examId: x.examId, candidateId: c.candidateId, accessCode: c.accessCode })).status).toBe(429);

    await signInPage();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(s.adminPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Roster import' }).click();
    await page.getByRole('button', { name: `Sign-ins of ${c.candidateId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Sign-ins of ${c.name}` });
    await dialog.getByRole('cell', { name: '127.0.0.1' }).waitFor();
    await shot(page, 'candidate-sign-ins');
    expect(await a11y(page)).toEqual([]);

    await dialog.getByRole('button', { name: 'Lift sign-in delay' }).click();
    await dialog.getByText('The sign-in delay is lifted').waitFor();
    await dialog.getByRole('button', { name: 'End every sign-in' }).click();
    await dialog.getByText('Ended 1 sign-in(s).').waitFor();
    await dialog.getByText('Not signed in anywhere.').waitFor();
    await shot(page, 'candidate-sign-ins-ended');
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, kioskToken)).status).toBe(401);
    expect((await call(`${s.api}/auth/candidate/login`, 'POST', { examId: x.examId, candidateId: c.candidateId, accessCode: c.accessCode })).status).toBe(200);
    expect(errors).toEqual([]);
  });

  it('a proctor in the live room lifts the sign-in delay of a candidate a neighbour locked out', async () => {
    const running = await new Kiosk(s, x.examId, x.candidates[1]!).start();
    await running.beat();
    const c = x.candidates[2]!;
    for (let i = 0; i < 6; i++) await call(`${s.api}/auth/candidate/login`, 'POST', { examId: x.examId, candidateId: c.candidateId, accessCode: `neighbour-guess-${i}` });
    expect((await call(`${s.api}/auth/candidate/login`, 'POST', { examId: x.examId, candidateId: c.candidateId, accessCode: c.accessCode })).status).toBe(429);
    await signInPage();
    await page.getByLabel('Username').fill(x.proctor.username);
    await page.getByLabel('Password').fill(x.proctor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in and end my oldest session' }).click(); // still at the limit from the first case
    await page.getByRole('list', { name: 'Seats' }).waitFor();
    await page.getByText('A candidate cannot sign in?').click();
    await page.getByLabel('Candidate ID').fill(c.candidateId);
    await page.getByRole('button', { name: 'Lift sign-in delay' }).click();
    await page.getByText(`Done: ${c.candidateId} can sign in now.`).waitFor();
    await shot(page, 'room-sign-in-help');
    expect(await a11y(page)).toEqual([]);
    expect((await call(`${s.api}/auth/candidate/login`, 'POST', { examId: x.examId, candidateId: c.candidateId, accessCode: c.accessCode })).status).toBe(200);
    expect(errors).toEqual([]);
  });
});
