import { call, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11y, HAS_CHROMIUM, launch, shot, watchErrors } from './browser.ts';
import { setupExam, type Setup } from './fixtures.ts';
import { Kiosk } from './kiosk.ts';

/**
 * Raise hand (issue I, item 9), the console's half: a kiosk's help request (the `help_requested`
 * integrity event) shows on its tile; the proctor acknowledges the alert; the kiosk's next
 * heartbeat carries the `help_seen` instruction (the kiosk then says "A proctor has seen your
 * request": apps/kiosk/test/e2e/candidate-care.e2e.test.ts).
 */
describe.skipIf(!HAS_CHROMIUM)('staff console: a raised hand on the tile', () => {
  let s: SpawnedServer;
  let x: Setup;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '5000' });
    x = await setupExam(s, 2);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.kill();
  });

  it('the tile says the hand is raised; acknowledged, the flag goes and the kiosk is told once', async () => {
    const errors = watchErrors(page);
    const k = await new Kiosk(s, x.examId, x.candidates[0]!).start();
    const quiet = await new Kiosk(s, x.examId, x.candidates[1]!).start();
    await Promise.all([k.beat(), quiet.beat()]);

    await page.goto(`${s.url}/console/`);
    await page.getByLabel('Username').fill(x.proctor.username);
    await page.getByLabel('Password').fill(x.proctor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Live room' }).waitFor();
    const tile = page.locator(`.tile[data-attempt="${k.attemptId}"]`);
    await tile.waitFor();

    // The kiosk's heartbeat carries the raised hand.
    const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, undefined, { events: [{ type: 'help_requested', at: new Date().toISOString() }] }), k.token);
    expect(hb.status).toBe(200);
    await tile.getByText('Hand raised: help requested').waitFor({ timeout: 10_000 });
    expect(await page.locator(`.tile[data-attempt="${quiet.attemptId}"]`).getByText('Hand raised').count()).toBe(0);
    const item = page.locator('.alert-item', { hasText: 'the candidate raised a hand: help requested' });
    await item.waitFor();
    expect(await a11y(page)).toEqual([]);
    await tile.scrollIntoViewIfNeeded();
    await shot(page, 'i-20-tile-hand-raised');

    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await tile.getByText('Hand raised').waitFor({ state: 'detached', timeout: 10_000 });
    const next = await k.beat();
    expect(next.instructions).toEqual([expect.objectContaining({ type: 'help_seen' })]);
    expect((await k.beat()).instructions).toEqual([]); // acknowledged with that beat: told once
    await shot(page, 'i-21-tile-hand-seen');
    expect(errors).toEqual([]);
  });
});
