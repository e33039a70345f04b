import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { AppEnv } from './http/context.ts';
import { bodyLimit } from './http/body.ts';
import { AppError, envelope } from './http/errors.ts';
import { docsPage, openApiDocument } from './http/openapi.ts';
import { mountConsole } from './http/console-static.ts';
import { bearer, RouteRegistry } from './http/route-registry.ts';
import { candidateRoutes } from './routes/candidate-routes.ts';
import { loginSessionRoutes } from './routes/login-session-routes.ts';
import { proctorRoutes } from './routes/proctor-routes.ts';
import { staffRoutes } from './routes/staff-routes.ts';
import type { Services } from './services/services.ts';
import type { FeatureModule } from './modules.ts';

export const VERSION = '0.1.0';
const SMALL_BODY = 256 * 1024;
const LARGE_BODY = 16 * 1024 * 1024;

export interface AppDeps {
  services: Services;
  log: Logger;
  trustProxy: boolean;
  modules?: FeatureModule[];
}

/** The whole HTTP API as a value; listening happens elsewhere (main.ts). */
export function createApp(d: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use('*', secureHeaders({ crossOriginResourcePolicy: false }));
  app.use('*', async (c, next) => {
    let ip = '';
    if (d.trustProxy) ip = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? '';
    if (!ip) {
      try {
        ip = getConnInfo(c).remote.address ?? '';
      } catch {
        ip = '';
      }
    }
    c.set('ip', ip);
    return next();
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
  app.use('/api/v1/*', bodyLimit((c) => (c.req.path.startsWith('/api/v1/admin/') ? LARGE_BODY : SMALL_BODY)));

  app.onError((err, c) => {
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
      return c.json(envelope(err.code, err.message, err.details), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json(envelope(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', err.message || 'bad request'), status);
    }
    d.log.error({ err, path: c.req.path, method: c.req.method }, 'unhandled error');
    return c.json(envelope('INTERNAL', 'something went wrong on our side; nothing was changed'), 500);
  });
  app.notFound((c) => c.json(envelope('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404));

  app.get('/healthz', (c) => c.json({ status: 'ok', version: VERSION, time: new Date().toISOString() }));

  const registry = new RouteRegistry(app, (c, allowQuery) => d.services.auth.authenticate(bearer(c) ?? (allowQuery ? c.req.query('access_token') : undefined)));
  staffRoutes(registry, d.services);
  candidateRoutes(registry, d.services);
  loginSessionRoutes(registry, d.services);
  proctorRoutes(registry, d.services);
  for (const m of d.modules ?? []) m.routes(registry);

  const doc = openApiDocument(registry.specs, VERSION);
  app.get('/api/openapi.json', (c) => c.json(doc));
  app.get('/api/docs', (c) => c.html(docsPage()));
  mountConsole(app);

  return { app, routes: registry.specs };
}
