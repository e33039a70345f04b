import { call, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11y, HAS_CHROMIUM, launch, shot, watchErrors } from './browser.ts';
import { setupExam, type Setup } from './fixtures.ts';
import { heartbeatLoop, Kiosk } from './kiosk.ts';

/**
 * The acceptance path of the staff console, in Debian's Chromium against the real server:
 * a proctor signs in; a scripted kiosk starts an exam; its tile appears live; the proctor locks
 * it; the kiosk's next heartbeat carries the lock; the tile shows locked; the proctor transfers
 * the candidate and the new device resumes. Screenshots go to test-output/screenshots/.
 */
describe.skipIf(!HAS_CHROMIUM)('staff console: live room (a proctor assigned to the center)', () => {
  let s: SpawnedServer;
  let x: Setup;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const background: Kiosk[] = [];
  let stopLoop = () => {};
  let k: Kiosk;

  beforeAll(async () => {
    s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '5000' });
    x = await setupExam(s, 16);
    // A room already under way: ten candidates working, one paused by staff, one finished, one with an alert.
    for (let i = 0; i < 10; i++) background.push(await new Kiosk(s, x.examId, x.candidates[i]!).start());
    stopLoop = heartbeatLoop(() => background, 2_000);
    await Promise.all(background.map((b) => b.beat()));
    await call(`${s.api}/proctor/sessions/${background[3]!.attemptId}/actions`, 'POST', { action: 'pause', reason: 'Toilet break, escorted' }, x.adminToken);
    const done = background.splice(7, 1)[0]!;
    await done.answer('q1', 'a', 1);
    await call(`${s.api}/exams/sessions/${done.attemptId}/submit`, 'POST', undefined, done.token);
    // A heartbeat signed by the wrong key: the server refuses it and raises a device-mismatch alert.
    const mismatch = background[5]!;
    await call(`${s.api}/exams/sessions/heartbeat`, 'POST', { ...mismatch.dev.heartbeat(mismatch.attemptId, 9_999), signature: 'A'.repeat(86) }, mismatch.token);

    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = watchErrors(page);
  });

  afterAll(async () => {
    stopLoop();
    await browser?.close();
    await s?.kill();
  });

  it('a proctor signs in', async () => {
    await page.goto(`${s.url}/console/`);
    await page.waitForURL(/\/console\/login$/);
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    await page.getByLabel('Username').fill(x.proctor.username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await shot(page, '01-login-error');
    expect(await a11y(page)).toEqual([]);
    await page.getByLabel('Password').fill(x.proctor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Live room' }).waitFor();
    await page.locator('.conn-live').waitFor();
    await page.locator('.tile').first().waitFor();
    // Session tiles (registered candidates who have not started have tiles of their own).
    expect(await page.locator('.tile[data-attempt]').count()).toBe(10);
    await page.locator('.alert-item').first().waitFor();
    await shot(page, '02-live-room');
    expect(await a11y(page)).toEqual([]);
  });

  it('a kiosk starts an exam and its tile appears without a reload', async () => {
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    k = new Kiosk(s, x.examId, x.candidates[12]!);
    const t0 = Date.now();
    await k.start();
    await k.beat();
    const tile = page.locator(`.tile[data-attempt="${k.attemptId}"]`);
    await tile.waitFor({ timeout: 8_000 });
    const appearedMs = Date.now() - t0;
    console.log(`new session tile appeared after ${appearedMs} ms`);
    await expect(tile.getAttribute('data-status')).resolves.toBe('active');
    await expect.poll(() => tile.innerText(), { timeout: 10_000 }).toContain(x.candidates[12]!.name);
    expect(navigations).toEqual([]);
    await tile.scrollIntoViewIfNeeded();
    await shot(page, '03-new-tile');
  });

  it('the proctor locks it; the next heartbeat carries the lock; the tile shows locked', async () => {
    const tile = page.locator(`.tile[data-attempt="${k.attemptId}"]`);
    await tile.getByRole('button', { name: /Actions for/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await shot(page, '04-actions-dialog');
    expect(await a11y(page)).toEqual([]);
    // Escape closes the dialog and gives the focus back to the tile's button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.outerHTML.slice(0, 120))).toMatch(/^Actions for/);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Lock', exact: true }).click();
    // No reason: the contract's own rule refuses it before anything is sent.
    await dialog.getByRole('button', { name: 'Lock the session' }).click();
    await expect(dialog.getByLabel(/Reason/).evaluate((el: HTMLTextAreaElement) => el.validity.valid)).resolves.toBe(false);
    await dialog.getByLabel(/Reason/).fill('Phone visible on the desk');
    await shot(page, '05-lock-confirm');
    await dialog.getByRole('button', { name: 'Lock the session' }).click();
    await dialog.waitFor({ state: 'detached' });

    const hb = await k.beat();
    expect(hb).toMatchObject({ isLocked: true, sessionValid: false });
    expect(hb.instructions).toEqual([expect.objectContaining({ type: 'lock', message: 'Phone visible on the desk' })]);

    await page.locator(`.tile[data-attempt="${k.attemptId}"][data-status="locked"]`).waitFor({ timeout: 3_000 });
    await expect.poll(() => tile.innerText(), { timeout: 10_000 }).toMatch(/Locked: Phone visible on the desk/);
    await expect.poll(() => page.locator('.chip[data-status="locked"] .chip-n').innerText(), { timeout: 10_000 }).toBe('1');
    await shot(page, '06-tile-locked');
  });

  it('a change made elsewhere reaches the tile over the event stream, not the periodic resync', async () => {
    const other = background[0]!;
    const tile = page.locator(`.tile[data-attempt="${other.attemptId}"]`);
    await expect(tile.getAttribute('data-status')).resolves.toBe('active');
    // Resyncs are GET /proctor/sessions; a change that shows with none in between came over SSE.
    // (Should a resync happen to fall in between, the cycle says nothing and is tried again.)
    const resyncs: number[] = [];
    const onRequest = (r: { url(): string; method(): string }) => {
      if (r.method() === 'GET' && /\/api\/v1\/proctor\/sessions(\?|$)/.test(r.url())) resyncs.push(Date.now());
    };
    page.on('request', onRequest);
    let overStream = 0;
    for (let round = 0; round < 4 && overStream === 0; round++) {
      for (const [action, status, reason] of [
        ['lock', 'locked', 'Talking to a neighbour'],
        ['unlock', 'active', 'Spoke to the candidate'],
      ] as const) {
        const t0 = Date.now();
        await call(`${s.api}/proctor/sessions/${other.attemptId}/actions`, 'POST', { action, reason }, x.adminToken);
        await page.locator(`.tile[data-attempt="${other.attemptId}"][data-status="${status}"]`).waitFor({ timeout: 15_000 });
        const resynced = resyncs.some((t) => t >= t0);
        console.log(`${action} by another proctor reached the tile after ${Date.now() - t0} ms${resynced ? ' (a resync fell in between)' : ''}`);
        if (!resynced) overStream += 1;
      }
    }
    page.off('request', onRequest);
    expect(overStream).toBeGreaterThan(0);
  });

  it('the proctor transfers the candidate; the resume code is shown large; the new device resumes', async () => {
    const tile = page.locator(`.tile[data-attempt="${k.attemptId}"]`);
    const dialog = page.getByRole('dialog');
    // A locked session cannot be resumed anywhere: the proctor unlocks it first.
    await tile.getByRole('button', { name: /Actions for/ }).click();
    // The dialog tells whether the kiosk picked the lock up with its heartbeat.
    await dialog.getByText(/lock “Phone visible on the desk”.*delivered/).waitFor();
    await shot(page, '06b-actions-lock-delivered');
    await dialog.getByRole('button', { name: 'Transfer to another desk' }).click();
    await dialog.getByText(/is locked/).waitFor();
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.getByRole('button', { name: 'Unlock', exact: true }).click();
    await dialog.getByLabel(/Reason/).fill('Phone handed in');
    await dialog.getByRole('button', { name: 'Unlock the session' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await k.beat()).instructions).toEqual([expect.objectContaining({ type: 'unlock' })]);
    await page.locator(`.tile[data-attempt="${k.attemptId}"][data-status="active"]`).waitFor({ timeout: 3_000 });

    await tile.getByRole('button', { name: /Actions for/ }).click();
    await dialog.getByRole('button', { name: 'Transfer to another desk' }).click();
    await dialog.getByLabel('New seat (optional)').fill('B7');
    await dialog.getByLabel(/Reason/).fill('Screen flickering, moving to a spare desk');
    await dialog.getByRole('button', { name: 'Start the transfer' }).click();
    const codeEl = page.getByTestId('resume-code');
    await codeEl.waitFor();
    const code = (await codeEl.innerText()).trim();
    expect(code.replace(/[^0-9A-Z]/gi, '').length).toBeGreaterThanOrEqual(26);
    const px = await codeEl.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(px).toBeGreaterThanOrEqual(28);
    await shot(page, '07-transfer-code');
    expect(await a11y(page)).toEqual([]);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator(`.tile[data-attempt="${k.attemptId}"]`).getByText('Transfer pending').waitFor({ timeout: 4_000 });
    await shot(page, '08-transfer-pending');

    // The candidate on the new desk: a new kiosk with a new key claims the attempt with the code.
    const oldKey = k.dev.publicKey;
    const claimed = await k.claim(code);
    expect(claimed.status).toBe(200);
    expect(k.dev.publicKey).not.toBe(oldKey);
    const hb = await k.beat();
    expect(hb).toMatchObject({ sessionValid: true, status: 'active', isLocked: false });
    await page.locator(`.tile[data-attempt="${k.attemptId}"][data-status="active"]`).waitFor({ timeout: 3_000 });
    await expect.poll(() => tile.innerText(), { timeout: 10_000 }).toContain('B7');
    await expect.poll(() => tile.getByText('Transfer pending').count(), { timeout: 4_000 }).toBe(0);
    await shot(page, '09-resumed-on-new-desk');
  });

  it('extend, message, force submit and terminate from a tile, each with its confirmation', async () => {
    const dialog = page.getByRole('dialog');
    const act = async (k: Kiosk, button: string, fill: Record<string, string>, confirm: string) => {
      await page.locator(`.tile[data-attempt="${k.attemptId}"]`).getByRole('button', { name: /Actions for/ }).click();
      await dialog.getByRole('button', { name: button, exact: true }).click();
      for (const [label, value] of Object.entries(fill)) await dialog.getByLabel(label).fill(value);
      await dialog.getByRole('button', { name: confirm }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    const a = background[2]!;
    const before = await page.locator(`.tile[data-attempt="${a.attemptId}"] .tile-facts dd`).first().innerText();
    await act(a, 'Extend time', { 'Minutes to add': '10', Reason: 'Late start: fire alarm' }, 'Extend the time');
    const toSeconds = (t: string) => t.split(':').map(Number).reduce((acc, n) => acc * 60 + n, 0);
    await expect.poll(async () => toSeconds(await page.locator(`.tile[data-attempt="${a.attemptId}"] .tile-facts dd`).first().innerText()) - toSeconds(before)).toBeGreaterThan(590);
    await act(a, 'Send message', { 'Message to the candidate': 'Thirty minutes left' }, 'Send the message');
    await expect.poll(() => a.instructions.map((i) => `${i.type}:${i.message ?? ''}`), { timeout: 6_000 }).toContain('message:Thirty minutes left');

    await act(background[6]!, 'Force submit', { Reason: 'Candidate felt unwell and asked to finish' }, 'Submit the exam now');
    await page.locator(`.tile[data-attempt="${background[6]!.attemptId}"][data-status="submitted"]`).waitFor({ timeout: 3_000 });
    await act(background[7]!, 'Terminate', { Reason: 'Left the room with the phone' }, 'Terminate the session');
    await page.locator(`.tile[data-attempt="${background[7]!.attemptId}"][data-status="ended"]`).waitFor({ timeout: 3_000 });
    await expect.poll(() => page.locator(`.tile[data-attempt="${background[7]!.attemptId}"]`).innerText(), { timeout: 10_000 }).toContain('Terminated');
    await shot(page, '10a-after-submit-and-terminate');
  });

  it('filters by status and search; alerts can be acknowledged from the feed', async () => {
    await page.locator('.chip[data-status="paused"]').click();
    expect(await page.locator('.tile').count()).toBe(1);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.getByRole('searchbox').fill(x.candidates[2]!.name.split(' ')[0]!);
    expect(await page.locator('.tile').count()).toBe(1);
    await page.getByRole('searchbox').fill('');
    const before = await page.locator('.alert-item').count();
    expect(before).toBeGreaterThan(0);
    await page.locator('.alert-item').first().getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator('.alert-item').count()).toBe(before - 1);
    await shot(page, '10-room-after-ack');
  });

  it('reconnects by itself after the server restarts, and catches up', async () => {
    stopLoop();
    await s.kill();
    await page.locator('.conn-reconnecting').waitFor({ timeout: 10_000 });
    await shot(page, '11-reconnecting');
    s = await s.restart();
    for (const b of [...background, k]) b.s = s;
    stopLoop = heartbeatLoop(() => background, 2_000);
    await page.locator('.conn-live').waitFor({ timeout: 40_000 });
    // A change made right after the restart still shows up live.
    await call(`${s.api}/proctor/sessions/${background[1]!.attemptId}/actions`, 'POST', { action: 'pause', reason: 'Fire drill in the corridor' }, x.adminToken);
    await page.locator(`.tile[data-attempt="${background[1]!.attemptId}"][data-status="paused"]`).waitFor({ timeout: 3_000 });
  });

  it('the overview charts and the account page render', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByTestId('chart-status').locator('canvas').waitFor();
    await page.waitForTimeout(300);
    await shot(page, '12-overview');
    expect(await a11y(page)).toEqual([]);
    // A second login of the same user, from another browser: listed, and revocable here.
    await call(`${s.api}/auth/staff/login`, 'POST', x.proctor, undefined, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' });
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Where you are signed in' }).waitFor();
    await page.locator('.row-current').waitFor();
    await expect.poll(() => page.locator('.row-current').innerText(), { timeout: 10_000 }).toContain('This device');
    await page.waitForTimeout(200);
    await shot(page, '13-account');
    expect(await a11y(page)).toEqual([]);
    const rows = await page.locator('tbody tr').count();
    await page.locator('tbody tr:not(.row-current)').first().getByRole('button', { name: /Sign out/ }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(rows - 1);
  });

  it('switched to German, the live room speaks German (headings, buttons, tiles, alerts), and back', async () => {
    await page.getByRole('link', { name: 'Live room' }).click();
    await page.locator('.tile').first().waitFor();
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('heading', { name: 'Prüfungsraum live' }).waitFor();
    const main = page.locator('.room-main');
    for (const name of ['Raum pausieren', 'Raum fortsetzen', 'Nachricht an alle', 'Alle verlängern', 'Alle sperren', 'Vorkommnisprotokoll…', 'Ausführlich', 'Kompakt']) await main.getByRole('button', { name, exact: true }).waitFor();
    expect(await page.locator('[data-testid="attendance"]').innerText()).toMatch(/Angemeldet[\s\S]*Nicht eingeloggt[\s\S]*Ausweis geprüft/);
    expect(await page.getByRole('heading', { name: /^Warnungen/ }).count()).toBe(1);
    const tile = await page.locator('.tile[data-attempt]').first().innerText();
    // (The fact labels are upper-cased by CSS: compare without case.)
    expect(tile).toMatch(/Restzeit/i);
    expect(tile).toMatch(/Lebenszeichen/i);
    expect(tile).toMatch(/Aktionen…/);
    // No English leftovers in the headings, buttons, the attendance bar or the tiles.
    const visible = await page.locator('.room-main h1, .room-main button, .alerts h2, .alerts button, [data-testid="attendance"], .tile').allInnerTexts();
    for (const english of ['Live room', 'Pause room', 'Resume room', 'Message all', 'Extend all', 'Lock all', 'Incident log', 'Registered', 'Not signed in', 'ID checked', 'Time left', 'Heartbeat', 'Actions…', 'Acknowledge', 'Show seat', 'Alerts', 'Not started', 'Detailed', 'Compact', 'answered']) {
      expect(visible.join('\n').toLowerCase(), english).not.toContain(english.toLowerCase());
    }
    // One seat's actions dialog, too.
    await page.locator('.tile[data-attempt] .tile-action').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('group', { name: 'Aktion wählen' }).waitFor();
    expect(await dialog.innerText()).toMatch(/Aktionen: /);
    expect(await dialog.innerText()).not.toMatch(/Choose an action|Extend time|Send message/);
    await shot(page, '13b-live-room-de-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.waitForTimeout(200);
    await shot(page, '13c-live-room-de');
    expect(await a11y(page)).toEqual([]);
    // The other pages of a proctor follow the choice.
    await page.getByRole('link', { name: 'Übersicht' }).click();
    await page.getByRole('heading', { name: 'Sitzungen nach Status im Zeitverlauf' }).waitFor();
    await page.getByRole('link', { name: 'Konto' }).click();
    await page.getByRole('heading', { name: 'Wo Sie angemeldet sind' }).waitFor();
    await page.getByRole('button', { name: 'Passwort ändern' }).waitFor();
    await page.getByRole('link', { name: 'Offline', exact: true }).click();
    await page.getByRole('heading', { name: 'Offline-Codes und -Pakete' }).waitFor();
    await page.getByRole('button', { name: 'Code erzeugen' }).waitFor();
    await shot(page, '13d-offline-de');
    await page.getByRole('link', { name: 'Live-Raum' }).click();
    // The choice is kept for this user across a reload; switching back restores English.
    await page.reload();
    await page.getByRole('heading', { name: 'Prüfungsraum live' }).waitFor();
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('heading', { name: 'Live room' }).waitFor();
  });

  it('scales to a 4K wall display', async () => {
    await page.getByRole('link', { name: 'Live room' }).click();
    await page.setViewportSize({ width: 3840, height: 2160 });
    await page.locator('.tile').first().waitFor();
    await page.waitForTimeout(300);
    await shot(page, '14-live-room-4k');
    const fontPx = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    expect(fontPx).toBeGreaterThanOrEqual(24);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(errors).toEqual([]);
  });
});
