import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppRequestHandler } from './app-files.ts';
import { CONTENT_SECURITY_POLICY } from './csp.ts';

let dir: string;
let handle: (r: Request) => Promise<Response>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kiosk-app-files-'));
  await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>exam</title>');
  await writeFile(path.join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'outside the renderer folder');
  handle = createAppRequestHandler(path.join(dir, 'renderer'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the app:// handler', () => {
  it('serves the renderer files with their type, the CSP and no caching', async () => {
    const page = await handle(new Request('app://kiosk/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>exam</title>');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const js = await handle(new Request('app://kiosk/assets/app.js'));
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toBe('console.log(1)');
  });

  it('answers 404 for missing files and anything outside the renderer folder, 405 for writes', async () => {
    expect((await handle(new Request('app://kiosk/nope.js'))).status).toBe(404);
    for (const url of ['app://kiosk/../secret.txt', 'app://kiosk/%2e%2e/secret.txt', 'app://kiosk/assets/..%2f..%2fsecret.txt', 'app://other/index.html']) {
      const res = await handle(new Request(url));
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('outside');
    }
    expect((await handle(new Request('app://kiosk/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});
