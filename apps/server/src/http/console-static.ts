import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppEnv } from './context.ts';

/** Where the console's Vite build lands (apps/console/dist). */
export const CONSOLE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../console/dist');

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only; no inline script or
 * style, no plugins, no framing, no other origin. (Preact and Chart.js set styles through the DOM,
 * which a CSP does not restrict.)
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the staff console (a single-page app) at /console: files as they are, any other path
 * under /console gets index.html so client-side routes survive a reload.
 */
export function mountConsole(app: Hono<AppEnv>, dist = CONSOLE_DIST): void {
  const index = join(dist, 'index.html');
  app.get('/', (c) => c.redirect('/console/'));
  app.get('/console', (c) => c.redirect('/console/'));
  app.use('/console/*', async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', CONSOLE_CSP);
  });
  app.use(
    '/console/*',
    serveStatic({
      root: relative(process.cwd(), dist),
      rewriteRequestPath: (p) => p.replace(/^\/console/, ''),
    }),
  );
  app.get('/console/*', (c) => {
    if (!existsSync(index)) {
      return c.html(
        '<!doctype html><title>Invigil console not built</title><p>The console has not been built. Run <code>bash scripts/start.sh</code> (it builds it), or <code>npx --yes pnpm@10.34.8 --filter @invigil/console build</code>.</p>',
        503,
      );
    }
    c.header('Cache-Control', 'no-cache');
    return c.html(readFileSync(index, 'utf8'));
  });
}
