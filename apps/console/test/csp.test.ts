import { call, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launch, shot, watchErrors } from './browser.ts';
import { setupExam, type Setup } from './fixtures.ts';
import { Kiosk } from './kiosk.ts';

/**
 * /console and /api/docs carry a strict Content-Security-Policy (no inline script or style, only
 * this origin) and the API's security headers; every page of the console still works under it in
 * Chromium, with no violation reported.
 */
let s: SpawnedServer;
let x: Setup;
beforeAll(async () => {
  s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '5000' });
  x = await setupExam(s, 3, 'CSP — Paper 1');
});
afterAll(() => s?.kill());

const SECURITY_HEADERS = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'strict-transport-security', 'cross-origin-opener-policy'];

describe('headers', () => {
  it('console and docs: a CSP without inline script, and the same security headers as the API', async () => {
    const apiHeaders = (await fetch(`${s.api}/sessions`)).headers;
    for (const path of ['/console/', '/console/review', '/api/docs', '/api/docs.js']) {
      const r = await fetch(`${s.url}${path}`);
      expect(r.status, path).toBe(200);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).not.toContain('unsafe-eval');
      for (const h of SECURITY_HEADERS) expect(r.headers.get(h), `${path} ${h}`).toBe(apiHeaders.get(h));
    }
    const docs = await (await fetch(`${s.url}/api/docs`)).text();
    expect(docs).not.toMatch(/<script>(?!<)/);
    expect(docs).not.toMatch(/<style>/);
  });
});

describe.skipIf(!HAS_CHROMIUM)('in Chromium, under the policy', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const violations: string[] = [];

  beforeAll(async () => {
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = watchErrors(page);
    await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation: (v: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
    });
  });
  afterAll(() => browser?.close());

  it('the API docs render their operations', async () => {
    await page.goto(`${s.url}/api/docs`);
    await expect.poll(() => page.locator('.op').count(), { timeout: 15_000 }).toBeGreaterThan(50);
    await shot(page, 'csp-api-docs');
    expect(violations).toEqual([]);
  });

  it('every console page works: sign-in, live room, overview with charts, review, admin, account', async () => {
    const k = await new Kiosk(s, x.examId, x.candidates[0]!).start();
    await k.beat();
    await call(`${s.api}/exams/sessions/${k.attemptId}/submit`, 'POST', undefined, k.token);
    await page.goto(`${s.url}/console/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(s.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Live room' }).waitFor();
    for (const [link, shotName] of [
      ['Overview', 'csp-overview'],
      ['Review', 'csp-review'],
      ['Admin', 'csp-admin'],
      ['Account', 'csp-account'],
      ['Live room', 'csp-live-room'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.waitForLoadState('networkidle');
      await shot(page, shotName);
    }
    await page.goto(`${s.url}/console/review/${k.attemptId}`);
    await page.getByText(/sealed/i).first().waitFor({ timeout: 15_000 });
    await shot(page, 'csp-review-detail');
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
