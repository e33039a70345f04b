import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { AppEnv } from './http/context.ts';
import { bodyLimit } from './http/body.ts';
import { clientAddress, type ProxyTrust } from './http/client-address.ts';
import { envelope } from './http/errors.ts';
import { errorAnswerer } from './http/error-answer.ts';
import { createFastLane } from './http/fast-lane.ts';
import type { Health } from './http/health.ts';
import { Lifecycle } from './http/lifecycle.ts';
import { noMetrics, type Metrics } from './ports/metrics.ts';
import { constantTimeEqual } from './security/tokens.ts';
import { DOCS_CSP, DOCS_CSS, DOCS_JS, docsPage, openApiDocument } from './http/openapi.ts';
import { mountConsole } from './http/console-static.ts';
import { bearer, RouteRegistry } from './http/route-registry.ts';
import { adminRoutes } from './admin/routes.ts';
import { examSessionRoutes } from './exam-sessions/routes.ts';
import { loginSessionRoutes } from './login-sessions/routes.ts';
import { proctoringRoutes } from './proctoring/routes.ts';
import { offlineRoutes } from './proctoring/offline-routes.ts';
import { roomOpsRoutes } from './proctoring/room-ops-routes.ts';
import { reviewRoutes } from './review/routes.ts';
import { resultsRoutes } from './review/results-routes.ts';
import type { Services } from './services.ts';

export const VERSION = '0.1.0';
/** The security headers of every answer (hono/secure-headers' defaults, cross-origin resources allowed). */
export const SECURE_HEADERS = { crossOriginResourcePolicy: false } as const;
const SMALL_BODY = 256 * 1024;
const LARGE_BODY = 16 * 1024 * 1024;

export interface AppDeps {
  services: Services;
  log: Logger;
  /** Whose X-Forwarded-For to believe (http/client-address.ts). */
  proxies: ProxyTrust;
  /** Health of what the answers depend on (for /readyz). */
  ready?: () => Promise<Record<string, boolean>>;
  metrics?: Metrics;
  /** GET /metrics in Prometheus' text format (absent: no such route). */
  prometheus?: { contentType: string; render: () => Promise<string>; token?: string };
  lifecycle?: Lifecycle;
  health?: Health;
}

/** Which group a request's latency is counted under (heartbeats and saves are the hot paths). */
function routeGroup(method: string, path: string): string {
  if (path === '/api/v1/exams/sessions/heartbeat') return 'heartbeat';
  if (method === 'PUT' && path.includes('/answers/')) return 'answer_save';
  if (path.startsWith('/api/v1/auth/')) return 'login';
  if (path.startsWith('/api/v1/')) return 'api';
  return 'other';
}

/** Loopback and private addresses (an operator's scraper), for /metrics without a token. */
const INTERNAL = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|::ffff:127\.|::ffff:10\.|::ffff:192\.168\.|fc|fd)/i;

/** The whole HTTP API as a value; listening happens elsewhere (main.ts). */
export function createApp(d: AppDeps) {
  const app = new Hono<AppEnv>();
  const metrics = d.metrics ?? noMetrics;
  const lifecycle = d.lifecycle ?? new Lifecycle();
  app.use('*', secureHeaders(SECURE_HEADERS));
  app.use('*', async (c, next) => {
    let peer = '';
    try {
      peer = getConnInfo(c).remote.address ?? '';
    } catch {
      peer = ''; // app.request() in tests: no socket
    }
    c.set('ip', clientAddress(d.proxies, peer, c.req.header('x-forwarded-for')).slice(0, 64));
    return next();
  });
  app.use('*', async (c, next) => {
    // Shutting down: new work goes to another instance (nginx retries, kiosks retry).
    if (lifecycle.closing && c.req.path !== '/healthz') {
      c.header('Connection', 'close');
      c.header('Retry-After', '1');
      return c.json(envelope('STORAGE_UNAVAILABLE', 'this server is shutting down; try again'), 503);
    }
    const t0 = performance.now();
    await next();
    metrics.request(routeGroup(c.req.method, c.req.path), c.res.status, (performance.now() - t0) / 1000);
    if (c.req.method !== 'GET' && c.res.status < 400 && c.req.path.startsWith('/api/v1/')) d.health?.storageWorks();
  });
  if (d.log.isLevelEnabled('debug')) {
    // Access log (LOG_LEVEL=debug). Never logs bodies, query strings or headers: no secrets in logs.
    app.use('*', async (c, next) => {
      const t0 = performance.now();
      await next();
      d.log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - t0) * 10) / 10, ip: c.get('ip') }, 'request');
    });
  }
  // API answers carry tokens and exam data: never cached by browsers or proxies.
  app.use('/api/v1/*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
  });
  // Offline bundles carry a whole attempt (essays included): as large as an admin import.
  app.use('/api/v1/*', bodyLimit((c) => (c.req.path.startsWith('/api/v1/admin/') || c.req.path === '/api/v1/proctor/offline-bundles' ? LARGE_BODY : SMALL_BODY)));

  const answerError = errorAnswerer({ metrics, log: d.log, ...(d.health ? { health: d.health } : {}) });
  app.onError((err, c) => {
    const a = answerError(err, c.req.method, c.req.path);
    for (const [k, v] of Object.entries(a.headers)) c.header(k, v);
    return c.json(a.body, a.status as ContentfulStatusCode);
  });
  app.notFound((c) => c.json(envelope('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404));

  app.get('/healthz', (c) => {
    const problems = d.health?.problems() ?? [];
    const time = new Date().toISOString();
    return problems.length ? c.json({ status: 'degraded', version: VERSION, time, problems }, 503) : c.json({ status: 'ok', version: VERSION, time });
  });
  app.get('/readyz', async (c) => {
    const checks = d.ready ? await d.ready() : {};
    const ok = Object.values(checks).every(Boolean);
    return c.json({ status: ok ? 'ready' : 'unavailable', checks }, ok ? 200 : 503);
  });

  if (d.prometheus) {
    const prom = d.prometheus;
    app.get('/metrics', async (c) => {
      let peer = '';
      try {
        peer = getConnInfo(c).remote.address ?? '';
      } catch {
        peer = '';
      }
      const authorized = prom.token ? constantTimeEqual(c.req.header('authorization') ?? '', `Bearer ${prom.token}`) : INTERNAL.test(peer);
      if (!authorized) return c.json(envelope('FORBIDDEN', prom.token ? 'metrics need the METRICS_TOKEN' : 'metrics are served to internal addresses only (or set METRICS_TOKEN)'), 403);
      return c.body(await prom.render(), 200, { 'Content-Type': prom.contentType });
    });
  }

  const s = d.services;
  const registry = new RouteRegistry(app, (c, allowQuery, unchecked) => s.loginSessions.authenticator.authenticate(bearer(c) ?? (allowQuery ? c.req.query('access_token') : undefined), unchecked ? { unchecked } : undefined));
  loginSessionRoutes(registry, s.loginSessions);
  examSessionRoutes(registry, s.examSessions);
  proctoringRoutes(registry, s.proctoring);
  offlineRoutes(registry, s.offline);
  roomOpsRoutes(registry, s.proctoring);
  adminRoutes(registry, s.admin);
  reviewRoutes(registry, s.review);
  resultsRoutes(registry, s.review);

  const doc = openApiDocument(registry.specs, VERSION);
  app.get('/api/openapi.json', (c) => c.json(doc));
  app.use('/api/docs*', async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', DOCS_CSP);
  });
  app.get('/api/docs', (c) => c.html(docsPage()));
  app.get('/api/docs.js', (c) => c.body(DOCS_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/api/docs.css', (c) => c.body(DOCS_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  mountConsole(app);

  /** The fast lane of the hot routes (http/fast-lane.ts), given the headers every API answer carries. */
  const fastLane = (headers: Record<string, string>) =>
    createFastLane({ routes: registry.hot, proxies: d.proxies, lifecycle, metrics, ...(d.health ? { health: d.health } : {}), log: d.log, answerError, headers, maxBody: SMALL_BODY, group: routeGroup });

  return { app, routes: registry.specs, fastLane };
}
