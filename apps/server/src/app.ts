import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { AppEnv } from './http/context.ts';
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

const DRAIN_LIMIT = 64 * 1024 * 1024;

/** Reads a request body to its end, giving up past `limit` bytes. True when fully drained. */
async function drainBody(body: ReadableStream<Uint8Array> | null, limit: number): Promise<boolean> {
  if (!body) return true;
  if (body.locked) return false;
  const reader = body.getReader();
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      seen += value.byteLength;
      if (seen > limit) {
        await reader.cancel();
        return false;
      }
    }
  } catch {
    return false;
  }
}

export interface AppDeps {
  services: Services;
  log: Logger;
  trustProxy: boolean;
  modules?: FeatureModule[];
}

/** The whole HTTP API as a value; listening happens elsewhere (main.ts). */
export function createApp(d: AppDeps) {
  const app = new Hono<AppEnv>();
  const tooLarge = (max: number) => async (c: Context<AppEnv>) => {
    // Lingering close: read and discard what the client is still sending (bounded), so it gets to
    // read our 413 instead of a broken pipe, and the connection stays usable.
    const drained = await drainBody(c.req.raw.body, DRAIN_LIMIT);
    throw new AppError(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${max} bytes`, { maxBytes: max }, drained ? undefined : { Connection: 'close' });
  };
  const small = bodyLimit({ maxSize: SMALL_BODY, onError: tooLarge(SMALL_BODY) });
  const large = bodyLimit({ maxSize: LARGE_BODY, onError: tooLarge(LARGE_BODY) });

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
  app.use('/api/v1/*', (c, next) => (c.req.path.startsWith('/api/v1/admin/') ? large(c, next) : small(c, next)));

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
