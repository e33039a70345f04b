import { call, spawnServer, TestDevice, type SpawnedServer } from '@invigil/server/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11y, HAS_CHROMIUM, launch, shot, SHOTS, watchErrors, signIn } from './browser.ts';

const HAS_PDFTOTEXT = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!HAS_PDFTOTEXT) console.warn('\n!!! pdftotext not found: THE LOGIN-SLIP AND SCRIPT PDF CHECKS ARE SKIPPED (apt-get install poppler-utils) !!!\n');

/** The PDF's text, page by page (pdftotext separates pages with a form feed). */
function pdfPages(path: string): string[] {
  const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  return text.split('\f').filter((p, i, all) => i < all.length - 1 || p.trim() !== '');
}

const N = 30;
const ROSTER = [
  'candidateId,name,room,seat,extraTime,restBreak',
  ...Array.from({ length: N }, (_, i) => `S${String(i + 1).padStart(3, '0')},Student Nummer ${i + 1},Hall 1,${String.fromCharCode(65 + Math.floor(i / 6))}${(i % 6) + 1},${i === 0 ? 15 : ''},${i === 0 ? 10 : ''}`),
].join('\n');

describe.skipIf(!HAS_CHROMIUM)('exam day, admin side: draft → questions → open → roster without codes → slips → short-code login', () => {
  let s: SpawnedServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let adminToken: string;
  const dir = mkdtempSync(join(tmpdir(), 'invigil-h-admin-'));
  let examId = '';
  let examCode = '';
  let slipCsv = '';
  let attemptId = '';
  let candidateName = '';

  beforeAll(async () => {
    s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '5000' });
    const login = await call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password: s.adminPassword });
    adminToken = login.body.token;
    const center = await call(`${s.api}/admin/centers`, 'POST', { name: 'Campus Nord', timeZone: 'Europe/Berlin', locale: 'de-DE' }, adminToken);
    await call(`${s.api}/admin/centers/${center.body.id}/rooms`, 'POST', { name: 'Hall 1', capacity: 40 }, adminToken);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'en-GB' });
    errors = watchErrors(page);
    await signIn(page, s.url, 'admin', s.adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.kill();
  });

  it('creates a draft, adds a free-text and a choice question, previews it as a candidate, opens it', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Exams' }).waitFor();
    await page.getByLabel('Title').fill('History — Paper 1');
    await page.getByLabel('Duration (minutes)').fill('60');
    await page.getByRole('button', { name: 'Create draft and add questions' }).click();
    await page.getByRole('heading', { name: 'History — Paper 1' }).waitFor();
    await page.getByText('Draft', { exact: true }).waitFor();
    examId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    examCode = (await page.locator('.exam-code-lg').innerText()).trim();
    expect(examCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);

    await page.getByRole('button', { name: 'Add question' }).click();
    await page.getByLabel('Prompt').fill('In which year did the Berlin Wall fall?');
    await page.getByLabel(/Options, one per line/).fill('a: 1961\nb: 1989\nc: 1990');
    await page.getByLabel('Correct option ids').fill('b');
    await page.getByRole('button', { name: 'Add question' }).click();
    const q2 = page.locator('.question').nth(1);
    await q2.getByLabel('Type').selectOption('text');
    await q2.getByLabel('Points').fill('5');
    await q2.getByLabel('Prompt').fill('Explain one cause of the French Revolution.');
    await page.getByRole('button', { name: 'Save questions' }).click();
    await page.getByText('Questions saved.').waitFor();

    await page.getByRole('link', { name: 'Candidate view' }).click();
    await page.getByRole('heading', { name: 'Candidate view: History — Paper 1' }).waitFor();
    await page.getByText('Explain one cause of the French Revolution.').waitFor();
    expect(await page.getByRole('radio').count()).toBe(3);
    await shot(page, 'h-admin-01-preview');
    expect(await a11y(page)).toEqual([]);
    await page.getByRole('link', { name: '← Back to the exam' }).click();

    await page.getByRole('button', { name: 'Open exam' }).click();
    await page.getByText('Exam opened: candidates may start.').waitFor();
    await shot(page, 'h-admin-02-exam-open');
    expect(await a11y(page)).toEqual([]);
  });

  it('imports a roster without access codes and prints one login slip per candidate (PDF checked with pdftotext), plus a CSV', async () => {
    const file = join(dir, 'roster.csv');
    writeFileSync(file, ROSTER);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Roster import' }).click();
    await page.getByRole('heading', { name: 'Roster import' }).waitFor();
    await page.getByLabel('Exam').selectOption({ label: 'History — Paper 1 (0 candidates)' });
    await page.getByLabel(/Roster file/).setInputFiles(file);
    await page.getByRole('button', { name: 'Import roster' }).click();
    const slips = page.getByTestId('login-slips');
    await slips.getByRole('heading', { name: `Login slips (${N})` }).waitFor();
    await shot(page, 'h-admin-03-slips', true);
    expect(await a11y(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), slips.getByRole('link', { name: 'Download CSV' }).click()]);
    const csvPath = join(dir, 'slips.csv');
    await download.saveAs(csvPath);
    slipCsv = readFileSync(csvPath, 'utf8');
    const lines = slipCsv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('candidateId,name,exam,examCode,accessCode,center,room,seat');
    expect(lines).toHaveLength(N + 1);
    expect(lines[1]).toMatch(new RegExp(`^S001,Student Nummer 1,History — Paper 1,${examCode},[A-Z0-9]{5}-[A-Z0-9]{5},Campus Nord,Hall 1,A1$`));

    if (!HAS_PDFTOTEXT) return;
    const pdf = join(SHOTS, 'h-admin-login-slips.pdf');
    await page.pdf({ path: pdf, format: 'A4' });
    expect(existsSync(pdf)).toBe(true);
    const pages = pdfPages(pdf);
    expect(pages).toHaveLength(N);
    for (let i = 0; i < N; i++) {
      const [id, name, , code, access, center, room, seat] = lines[i + 1]!.split(',');
      const text = pages[i]!;
      for (const want of [name!, id!, code!, access!, center!, room!, seat!]) expect(text, `page ${i + 1}`).toContain(want);
      // Exactly one candidate per page.
      expect(text.match(/Access code/g)).toHaveLength(1);
    }
  });

  it('a candidate signs in with the short exam code and a generated access code (typed in lower case)', async () => {
    const [id, , , , access] = slipCsv.trim().split(/\r?\n/)[2]!.split(',');
    const r = await call(`${s.api}/auth/candidate/login`, 'POST', { examId: examCode.toLowerCase(), candidateId: id, accessCode: access!.toLowerCase() });
    expect(r.status).toBe(200);
    expect(r.body.examId).toBe(examId);
    const dev = new TestDevice();
    const started = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: r.body.examId, devicePublicKey: dev.publicKey }, r.body.token);
    expect(started.status).toBe(201);
    attemptId = started.body.attemptId;
    candidateName = slipCsv.trim().split(/\r?\n/)[2]!.split(',')[1]!;
    expect((await call(`${s.api}/exams/sessions/${attemptId}/answers/q1`, 'PUT', { value: 'b', clientSeq: 1 }, r.body.token)).status).toBe(200);
    expect((await call(`${s.api}/exams/sessions/${attemptId}/answers/q2`, 'PUT', { value: 'Debt and bread prices.', clientSeq: 1 }, r.body.token)).status).toBe(200);

    // With a session running, the questions look locked and closing asks first, saying what happens.
    await page.goto(`${s.url}/console/admin/exams/${examId}`);
    await page.getByText('Sessions of this exam exist: its questions can no longer change.').waitFor();
    expect(await page.locator('.question-list.is-locked fieldset[disabled]').count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Save questions' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Close exam' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close while sessions are running?' });
    await dialog.getByText(/1 session is still running\. Closing stops new starts only: running sessions go on/).waitFor();
    await shot(page, 'h-admin-08-close-confirm');
    expect(await a11y(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Close exam' }).waitFor();
    await shot(page, 'h-admin-09-locked-questions', true);

    expect((await call(`${s.api}/exams/sessions/${attemptId}/submit`, 'POST', undefined, r.body.token)).status).toBe(200);
    expect(errors).toEqual([]);
  });

  it('marks the text answer in review (question text and options shown); the total includes it', async () => {
    await page.goto(`${s.url}/console/review/${attemptId}`);
    const marking = page.getByTestId('marking');
    await marking.getByText('Still unmarked: 1 question(s) — 2.').waitFor();
    await page.getByText('In which year did the Berlin Wall fall?').waitFor();
    await page.getByText('Debt and bread prices.').waitFor();
    const q2 = page.locator('[data-question="q2"]');
    await q2.getByLabel('Points (0–5)').fill('4');
    await q2.getByLabel('Comment').fill('Two causes, well argued.');
    await q2.getByRole('button', { name: 'Save mark' }).click();
    await marking.getByText('Total 5 / 6').waitFor();
    await marking.getByText('Everything is marked.').waitFor();
    await q2.getByText('Marked 4 / 5').waitFor();
    await shot(page, 'h-admin-04-review-marked', true);
    expect(await a11y(page)).toEqual([]);
  });

  it('prints the candidate script to PDF (checked with pdftotext)', async () => {
    await page.getByRole('link', { name: 'Printable script' }).click();
    await page.getByRole('heading', { name: `Script: ${candidateName}` }).waitFor();
    await shot(page, 'h-admin-05-script', true);
    expect(await a11y(page)).toEqual([]);
    if (!HAS_PDFTOTEXT) return;
    const pdf = join(SHOTS, 'h-admin-script.pdf');
    await page.pdf({ path: pdf, format: 'A4' });
    const text = pdfPages(pdf).join('\n');
    for (const want of ['Candidate script', candidateName, 'History — Paper 1', 'In which year did the Berlin Wall fall?', '1989', 'Explain one cause of the French Revolution.', 'Debt and bread prices.', 'Marked 4 / 5', 'Two causes, well argued.', 'Total 5 / 6']) {
      expect(text, want).toContain(want);
    }
    // Only the script is printed: no navigation, no buttons.
    expect(text).not.toContain('Sign out');
    expect(text).not.toContain('Save mark');
  });

  it('results: the CSV and the XLSX carry the total with the manual mark', async () => {
    await page.goto(`${s.url}/console/admin/exams/${examId}/results`);
    const table = page.getByTestId('results');
    await table.getByText('5 / 6').waitFor();
    await shot(page, 'h-admin-06-results', true);
    expect(await a11y(page)).toEqual([]);
    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csvPath = join(dir, 'results.csv');
    await csvDl.saveAs(csvPath);
    const csv = readFileSync(csvPath, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    const head = csv[0]!.split(',');
    const row = csv.find((l) => l.startsWith(`${slipCsv.trim().split(/\r?\n/)[2]!.split(',')[0]},`))!.split(',');
    expect(row[head.indexOf('total')]).toBe('5');
    expect(row[head.indexOf('q2 (5)')]).toBe('4');
    expect(csv).toHaveLength(N + 1);

    const [xDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download Excel (XLSX)' }).click()]);
    const xPath = join(dir, 'results.xlsx');
    await xDl.saveAs(xPath);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xPath);
    const ws = wb.getWorksheet('Results')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const r = [...Array(ws.rowCount).keys()].map((i) => ws.getRow(i + 1)).find((x) => x.getCell(1).value === row[0])!;
    expect(r.getCell(header.indexOf('total') + 1).value).toBe(5);
    expect(ws.rowCount).toBe(N + 1);
    expect(errors).toEqual([]);
  });

  it("German, chosen per user, stays after a reload; review dates are in the centre's time zone and locale", async () => {
    await page.goto(`${s.url}/console/review/${attemptId}`);
    await page.getByTestId('marking').waitFor();
    // Started at, in Berlin's zone and German style (24-hour, day first), named since the browser's zone differs.
    const cell = page.locator('dt:has-text("Started") + dd');
    // The centre's zone arrives with the directory of names, just after the page.
    await expect.poll(() => cell.innerText(), { timeout: 10_000 }).toContain('Europe/Berlin');
    const started = await cell.innerText();
    expect(started).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} \(Europe\/Berlin\)$/);
    const expected = new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Berlin' }).format(new Date((await call(`${s.api}/review/sessions/${attemptId}`, 'GET', undefined, adminToken)).body.archive.metadata.startedAt));
    expect(started).toBe(`${expected} (Europe/Berlin)`);

    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Exams' }).waitFor();
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('heading', { name: 'Prüfungen' }).waitFor();
    await page.getByRole('link', { name: 'Verwaltung' }).waitFor();
    await page.getByRole('columnheader', { name: 'Prüfungscode' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Prüfungen' }).waitFor();
    await shot(page, 'h-admin-07-exams-de');
    expect(await a11y(page)).toEqual([]);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('invigil.console.lang')))).toEqual([expect.stringMatching(/^invigil\.console\.lang\..+/)]);
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('heading', { name: 'Exams' }).waitFor();
    expect(errors).toEqual([]);
  });
});
