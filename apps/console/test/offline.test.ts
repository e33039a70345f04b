import { spawnServer, type SpawnedServer } from '@invigil/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launch, shot } from './browser.ts';
import { setupExam, type Setup } from './fixtures.ts';
import { heartbeatLoop, Kiosk } from './kiosk.ts';

/** A kiosk that goes silent turns its tile Offline (auto-paused, clock stopped) by itself; its alert shows up. */
describe.skipIf(!HAS_CHROMIUM)('staff console: a kiosk goes offline', () => {
  let s: SpawnedServer;
  let x: Setup;
  let browser: Browser;
  let page: Page;
  let stop = () => {};

  beforeAll(async () => {
    s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '1000', MISSED_HEARTBEATS_BEFORE_PAUSE: '3' });
    x = await setupExam(s, 3, 'Biology — Paper 3');
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    stop();
    await browser?.close();
    await s?.kill();
  });

  it('shows the silent seat as Offline and raises the alert, while the others stay Active', async () => {
    const kiosks = await Promise.all(x.candidates.map((c) => new Kiosk(s, x.examId, c).start()));
    let beating = kiosks;
    stop = heartbeatLoop(() => beating, 400);
    await page.goto(`${s.url}/console/login`);
    await page.getByLabel('Username').fill(x.proctor.username);
    await page.getByLabel('Password').fill(x.proctor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.tile[data-status="active"]').count(), { timeout: 10_000 }).toBe(3);

    const silent = kiosks[1]!;
    beating = kiosks.filter((k) => k !== silent);
    await page.locator(`.tile[data-attempt="${silent.attemptId}"][data-status="offline"]`).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('.chip[data-status="offline"] .chip-n').innerText(), { timeout: 10_000 }).toBe('1');
    await expect(page.locator('.tile[data-status="active"]').count()).resolves.toBe(2);
    await page.locator('.alert-item').filter({ hasText: /no heartbeat/ }).waitFor({ timeout: 5_000 });
    await shot(page, '18-offline-seat');
  });
});
