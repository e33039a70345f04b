import { createAgent, FileSecretStore, type Agent } from '@invigil/agent';
import { fakePlatform } from '@invigil/agent/testing';
import type { KioskEvent } from '@invigil/contract';
import { call, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11y, HAS_CHROMIUM, launch, SHOTS, shot, watchErrors, signIn as signInAs } from './browser.ts';
import { setupExam, type Setup } from './fixtures.ts';
import { heartbeatLoop, Kiosk } from './kiosk.ts';

/** The text of a PDF (poppler's pdftotext), one string. */
function pdfText(pdf: Buffer, name: string): string {
  const file = join(SHOTS, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

async function signIn(page: Page, s: SpawnedServer, x: Setup) {
  await signInAs(page, s.url, x.proctor.username, x.proctor.password);
  await page.locator('.conn-live').waitFor();
}

const count = (page: Page, k: string) => page.locator(`[data-testid="attendance"] [data-count="${k}"] dd`).innerText();

/**
 * Exam day in the hall, in Debian's Chromium against the real server: 30 registered, 3 real kiosk
 * agents (packages/agent) started; the live room shows all 30 with their attendance; "pause room"
 * pauses every running session and every agent receives it; the incident log; the printable
 * attendance list, seating plan and invigilator report (PDF, checked with pdftotext).
 */
describe.skipIf(!HAS_CHROMIUM)('the hall: attendance, pause room, incident log, print (a proctor of the centre)', () => {
  let s: SpawnedServer;
  let x: Setup;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const agents: { agent: Agent; events: KioskEvent[]; attemptId: string }[] = [];

  beforeAll(async () => {
    s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '1000', MISSED_HEARTBEATS_BEFORE_PAUSE: '30' });
    x = await setupExam(s, 30);
    // Accommodations set by the admins before the day: C1001 (starts) and C1030 (does not start).
    for (const [id, body] of [
      ['C1001', { extraTimeMinutes: 15, restBreakMinutes: 10 }],
      ['C1030', { extraTimeMinutes: 20, restBreakMinutes: 5 }],
    ] as const) {
      const r = await call(`${s.api}/admin/exams/${x.examId}/registrations/${id}/accommodations`, 'PUT', body, x.adminToken);
      if (r.status !== 200) throw new Error(`accommodations: ${r.status} ${JSON.stringify(r.body)}`);
    }
    for (const c of x.candidates.slice(0, 3)) {
      const root = mkdtempSync(join(tmpdir(), 'invigil-hall-agent-'));
      const agent = await createAgent({ serverUrl: s.url, dataDir: join(root, 'data'), secretStore: new FileSecretStore(join(root, 'key')), platform: fakePlatform(), checks: false });
      const events: KioskEvent[] = [];
      agent.onEvent((e) => events.push(e));
      await agent.login({ examId: x.examId, candidateId: c.candidateId, accessCode: c.accessCode });
      const st = await agent.startExam();
      agents.push({ agent, events, attemptId: st.attemptId! });
    }
    await agents[0]!.agent.saveAnswer('q1', 'a');
    await agents[0]!.agent.whenSynced(10_000);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    errors = watchErrors(page);
    await signIn(page, s, x);
  });

  afterAll(async () => {
    for (const a of agents) await a.agent.close().catch(() => undefined);
    await browser?.close();
    await s?.kill();
  });

  it('the live room shows 30 registered, 3 started, 27 not signed in; every seat has a tile', async () => {
    await expect.poll(() => count(page, 'registered'), { timeout: 10_000 }).toBe('30');
    expect(await count(page, 'started')).toBe('3');
    expect(await count(page, 'not_signed_in')).toBe('27');
    expect(await count(page, 'signed_in')).toBe('0');
    expect(await page.locator('.tile[data-attempt]').count()).toBe(3);
    expect(await page.locator('.tile-absent[data-attendance="not_signed_in"]').count()).toBe(27);
    // Progress on the tile of the candidate who answered: 1 of 3.
    await expect.poll(() => page.locator(`.tile[data-attempt="${agents[0]!.attemptId}"] [data-testid="progress"]`).innerText(), { timeout: 10_000 }).toMatch(/1\/3\s+answered/);
    await shot(page, 'h-01-hall-attendance', true);
    expect(await a11y(page)).toEqual([]);
  });

  it('tiles show planned extra time and rest breaks apart from a staff extension (also on a not-started seat)', async () => {
    const tile = page.locator(`.tile[data-attempt="${agents[0]!.attemptId}"]`);
    await expect.poll(() => tile.locator('[data-testid="accommodations"]').innerText(), { timeout: 10_000 }).toBe('+15 min planned · 10 min breaks');
    expect(await tile.locator('[data-testid="extension"]').count()).toBe(0);
    // A proctor gives 5 minutes more: shown as an extension, the planned time stays as it was.
    const ext = await call(`${s.api}/proctor/sessions/${agents[0]!.attemptId}/actions`, 'POST', { action: 'extend', minutes: 5, reason: 'Noise from the corridor' }, x.adminToken);
    expect(ext.status).toBe(200);
    await expect.poll(() => tile.locator('[data-testid="extension"]').innerText(), { timeout: 10_000 }).toBe('+5 min extension');
    expect(await tile.locator('[data-testid="accommodations"]').innerText()).toBe('+15 min planned · 10 min breaks');
    // Another started seat without accommodations shows none.
    expect(await page.locator(`.tile[data-attempt="${agents[1]!.attemptId}"] [data-testid="time-facts"]`).count()).toBe(0);
    const absent = page.locator('.tile-absent[data-candidate="C1030"]');
    expect(await absent.locator('[data-testid="accommodations"]').innerText()).toBe('+20 min planned · 5 min breaks');
    expect(await page.locator('.tile-absent[data-candidate="C1029"] [data-testid="time-facts"]').count()).toBe(0);
    await tile.scrollIntoViewIfNeeded();
    await shot(page, 'h-01b-hall-accommodations');
  });

  it('a proctor marks “ID checked”; the box stays ticked while the server records it, and the count follows', async () => {
    const seat = page.locator(`.tile-absent[data-candidate="${x.candidates[5]!.candidateId}"]`);
    // The server answers late (a busy network): the room renders again meanwhile (live events come
    // every second), and the box must not flip back under the proctor's finger.
    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    await page.route('**/id-check', async (route) => {
      await answered;
      await route.continue();
    });
    const box = seat.getByLabel(/ID checked/);
    await box.check();
    // The room renders again (here: sorted one way, then back) with the answer still out.
    const sort = page.getByLabel('Sort');
    await sort.selectOption('attention');
    await sort.selectOption('seat');
    expect(await box.isChecked()).toBe(true);
    expect(await count(page, 'idChecked')).toBe('0');
    release();
    await expect.poll(() => count(page, 'idChecked'), { timeout: 10_000 }).toBe('1');
    expect(await box.isChecked()).toBe(true);
    await page.unroute('**/id-check');
  });

  it('“pause room” pauses every running session and every kiosk agent receives it; the dialog counts the deliveries', async () => {
    await page.getByRole('button', { name: 'Pause room' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Reason/).fill('Fire alarm, room evacuated');
    await shot(page, 'h-02-pause-room-confirm');
    await dialog.getByRole('button', { name: 'Pause every running session' }).click();
    await dialog.getByTestId('room-action-result').waitFor();
    await expect(dialog.getByTestId('room-action-result').innerText()).resolves.toMatch(/3\s+of 3 sessions paused/);
    for (const a of agents) {
      await a.agent.waitFor((st) => st.session.status === 'paused' && st.session.pausedByStaff, 10_000);
      expect(a.events.some((e) => e.type === 'instruction' && e.instruction.type === 'pause')).toBe(true);
    }
    await expect.poll(() => dialog.getByTestId('room-action-delivery').innerText(), { timeout: 10_000 }).toMatch(/Delivered to 3 of 3 kiosks/);
    await shot(page, 'h-03-pause-room-delivered');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const live = await call(`${s.api}/proctor/sessions?roomId=${x.roomId}`, 'GET', undefined, x.adminToken);
    expect(live.body.sessions.map((z: any) => [z.status, z.pauseKind])).toEqual(Array(3).fill(['paused', 'staff']));
    await expect.poll(() => page.locator('.tile[data-status="paused"]').count(), { timeout: 10_000 }).toBe(3);
    await shot(page, 'h-04-room-paused');

    await page.getByRole('button', { name: 'Resume room' }).click();
    await dialog.getByLabel(/Reason/).fill('All clear');
    await dialog.getByRole('button', { name: 'Resume every staff-paused session' }).click();
    await dialog.getByTestId('room-action-result').waitFor();
    for (const a of agents) await a.agent.waitFor((st) => st.session.status === 'active' && st.clock.running, 10_000);
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('the incident log takes notes per room and per candidate, with time and author', async () => {
    await page.getByRole('button', { name: 'Incident log…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Note/).fill('Fire alarm 10:12–10:20, room evacuated and resumed');
    await dialog.getByRole('button', { name: 'Add to the log' }).click();
    await dialog.getByTestId('notes-list').getByText('Fire alarm 10:12').waitFor();
    await dialog.getByLabel('About').selectOption({ index: 1 });
    await dialog.getByLabel(/^Note/).fill('Candidate felt unwell, 5 minutes outside with an escort');
    await dialog.getByRole('button', { name: 'Add to the log' }).click();
    await dialog.getByTestId('notes-list').getByText('felt unwell').waitFor();
    await expect(dialog.getByTestId('notes-list').innerText()).resolves.toContain('Ines Moreau');
    await shot(page, 'h-05-incident-log');
    await page.keyboard.press('Escape');
  });

  it('the review of the attempt shows its notes and its room’s notes', async () => {
    await page.goto(`${s.url}/console/review/${agents[0]!.attemptId}`);
    const card = page.getByTestId('incidents');
    await card.waitFor();
    await expect.poll(() => card.innerText(), { timeout: 5_000 }).toContain('Candidate felt unwell');
    await expect(card.innerText()).resolves.toContain('Room note by Ines Moreau: Fire alarm 10:12');
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'h-05b-review-incidents');
  });

  it('prints the attendance list, the seating plan and the invigilator report (PDF text checked)', async () => {
    const q = `?roomId=${x.roomId}`;
    await page.goto(`${s.url}/console/print/attendance${q}`);
    await page.getByRole('heading', { name: /Attendance list: North Hall · Room 2/ }).waitFor();
    await shot(page, 'h-06-print-attendance', true);
    const att = pdfText(await page.pdf({ format: 'A4' }), 'h-attendance');
    expect(att).toContain('Attendance list: North Hall · Room 2');
    expect(att).toMatch(/Registered 30 · Not signed in 27 · Signed in 0 · Started 3/);
    for (const c of x.candidates) expect(att).toContain(c.candidateId);
    expect(att).toContain('Signature');
    expect(att).not.toContain('Pause room'); // the screen's controls are not printed

    await page.goto(`${s.url}/console/print/seating${q}`);
    await page.getByRole('heading', { name: /Seating plan/ }).waitFor();
    await shot(page, 'h-07-print-seating', true);
    const seating = pdfText(await page.pdf({ format: 'A4', landscape: true }), 'h-seating');
    expect(seating).toContain('Front of the room');
    for (const c of x.candidates.slice(0, 6)) expect(seating).toContain(c.seat);

    await page.goto(`${s.url}/console/print/report${q}`);
    await page.getByRole('heading', { name: /Invigilator report/ }).waitFor();
    await shot(page, 'h-08-print-report', true);
    const report = pdfText(await page.pdf({ format: 'A4' }), 'h-report');
    expect(report).toContain('Invigilator report: North Hall · Room 2');
    expect(report).toContain('Fire alarm 10:12–10:20');
    expect(report).toContain('Candidate felt unwell');
    expect(report).toMatch(/Sat the exam\s+3/);
    expect(report).toContain('Invigilator:');
    expect(errors).toEqual([]);
  });
});

/**
 * Sixty seats on one 1920×1080 screen: compact tiles, alerts that say what happened (remote access
 * is not focus lost; the program's name and the display count are in the alert), sorting by
 * "needs attention", "Show seat" highlighting the tile, names (not ids) in the filters, bulk acknowledge.
 */
describe.skipIf(!HAS_CHROMIUM)('the hall: 60 seats, alerts that say what happened', () => {
  let s: SpawnedServer;
  let x: Setup;
  let browser: Browser;
  let page: Page;
  const kiosks: Kiosk[] = [];
  let stop = () => {};

  beforeAll(async () => {
    s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '5000' });
    x = await setupExam(s, 60);
    // A second room of the centre with two registered candidates (not started): the room filter appears.
    const annex = await call(`${s.api}/admin/centers/${x.centerId}/rooms`, 'POST', { name: 'Annex 3', capacity: 10 }, x.adminToken);
    const more = [1, 2].map((i) => ({ candidateId: `X${i}`, name: `Annex Candidate ${i}`, accessCode: `code-annex-${i}-secret`, center: x.centerId, room: annex.body.id, seat: `Z${i}` }));
    expect((await call(`${s.api}/admin/exams/${x.examId}/roster`, 'POST', { candidates: more }, x.adminToken)).status).toBe(200);
    for (const c of x.candidates) kiosks.push(await new Kiosk(s, x.examId, c).start());
    await Promise.all(kiosks.map((k) => k.beat()));
    await kiosks[7]!.answer('q1', 'a', 1);
    // What the kiosks report: remote access (AnyDesk), a second display, lost focus.
    const report = (k: Kiosk, events: unknown[]) => call(`${s.api}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, undefined, { events }), k.token);
    const at = new Date().toISOString();
    await report(kiosks[41]!, [{ type: 'remote_access', at, details: { process: 'AnyDesk.exe' } }]);
    await report(kiosks[23]!, [{ type: 'display_count', at, details: { count: 2, previous: 1 } }]);
    await report(kiosks[12]!, [{ type: 'focus_lost', at }, { type: 'focus_lost', at }]);
    stop = heartbeatLoop(() => kiosks, 2_000);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await signIn(page, s, x);
  });
  afterAll(async () => {
    stop();
    await browser?.close();
    await s?.kill();
  });

  it('compact tiles: all 60 seats fit on a 1920×1080 screen; remote access and focus lost read differently', async () => {
    await page.getByRole('button', { name: 'Compact' }).click();
    await expect.poll(() => page.locator('.tile[data-attempt]').count(), { timeout: 10_000 }).toBe(60);
    await expect.poll(() => page.locator('.alert-item').count(), { timeout: 10_000 }).toBe(3);
    const remote = page.locator(`.tile[data-attempt="${kiosks[41]!.attemptId}"]`);
    await expect.poll(() => remote.innerText(), { timeout: 10_000 }).toContain('Remote access');
    await expect(page.locator(`.tile[data-attempt="${kiosks[12]!.attemptId}"]`).innerText()).resolves.toContain('Focus lost');
    await expect(remote.getAttribute('class')).resolves.toContain('tile-sev-critical');
    await expect(page.locator('.alerts').innerText()).resolves.toMatch(/Remote-access program running: AnyDesk\.exe/);
    await expect(page.locator('.alerts').innerText()).resolves.toMatch(/2 displays connected \(was 1\)/);
    await shot(page, 'h-10-sixty-seats-1920');
    // Every tile inside the viewport, none below the fold.
    const bottoms = await page.locator('.tile[data-attempt]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().bottom));
    expect(bottoms.length).toBe(60);
    expect(Math.max(...bottoms)).toBeLessThanOrEqual(1080);
  });

  it('sort by "needs attention" puts the critical alert first; "Show seat" highlights the tile', async () => {
    await page.getByLabel('Sort').selectOption('attention');
    await expect.poll(() => page.locator('.tile').first().getAttribute('data-attempt'), { timeout: 5_000 }).toBe(kiosks[41]!.attemptId);
    const item = page.locator('.alert-item', { hasText: 'AnyDesk' });
    await item.getByRole('button', { name: 'Show seat' }).click();
    await page.locator(`.tile-highlight[data-attempt="${kiosks[41]!.attemptId}"]`).waitFor({ timeout: 3_000 });
    await shot(page, 'h-11-attention-show-seat');
  });

  it('the filters name the room (not an id), also for a proctor; bulk acknowledge clears the feed', async () => {
    const rooms = page.locator('select').filter({ has: page.locator('option', { hasText: 'All rooms' }) });
    await expect.poll(async () => (await rooms.locator('option').allInnerTexts()).sort(), { timeout: 10_000 }).toEqual(['All rooms', 'Annex 3', 'Room 2']);
    await rooms.selectOption({ label: 'Annex 3' });
    await expect.poll(() => count(page, 'registered'), { timeout: 5_000 }).toBe('2');
    expect(await page.locator('.tile-absent').count()).toBe(2);
    await shot(page, 'h-12-room-filter-names');
    await rooms.selectOption({ label: 'All rooms' });
    await page.locator('.alert-item').first().waitFor();
    await page.getByRole('button', { name: /Acknowledge all 3/ }).click();
    await expect.poll(() => page.locator('.alert-item').count(), { timeout: 10_000 }).toBe(0);
    const open = await call(`${s.api}/proctor/alerts?state=open`, 'GET', undefined, x.adminToken);
    expect(open.body.alerts).toEqual([]);
  });
});
