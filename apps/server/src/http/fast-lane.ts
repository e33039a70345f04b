import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { Metrics } from '../ports/metrics.ts';
import { declaredTooLarge } from './body.ts';
import { clientAddress, type ProxyTrust } from './client-address.ts';
import type { AppEnv } from './context.ts';
import type { ErrorAnswer } from './error-answer.ts';
import { envelope } from './errors.ts';
import type { Health } from './health.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { HotRoute } from './route-registry.ts';

/**
 * The fast lane: the two hot routes (heartbeat, answer save) served straight from node:http.
 *
 * Through @hono/node-server every request becomes a WHATWG Request and every answer a Response
 * (headers objects, a body stream): for a heartbeat that emulation cost more than the heartbeat's
 * own work. Here the same route — the registry's authentication, role check, parameter and body
 * validation, handler and error answers — runs against a small context built from the
 * IncomingMessage, and the answer is written with one writeHead/end. What the app's middleware
 * does for these routes is done here too, in the same order: shutting down (503), the client's
 * address, the body limit, metrics and storage health, the security headers and `no-store`.
 * Every other request goes to Hono. `fast-lane.test.ts` sends the same requests both ways and
 * compares the answers byte for byte (headers included).
 */
export interface FastLaneDeps {
  routes: HotRoute[];
  proxies: ProxyTrust;
  lifecycle: Lifecycle;
  metrics: Metrics;
  health?: Health;
  log: Logger;
  answerError: (err: unknown, method: string, path: string) => ErrorAnswer;
  /** The headers every API answer carries (security headers, Cache-Control), lower-case names. */
  headers: Record<string, string>;
  /** The body limit of these routes, bytes. */
  maxBody: number;
  /** Which metrics group a route's latency is counted under. */
  group: (method: string, path: string) => string;
}

const ANSWER = Symbol('fast-lane answer');
interface Answer {
  [ANSWER]: true;
  status: number;
  value: unknown;
}

function decode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The part of Hono's Context the registry's routes use, over a node:http request. */
class LaneContext {
  readonly env: { incoming: IncomingMessage };
  readonly req: {
    method: string;
    path: string;
    header: (name: string) => string | undefined;
    param: () => Record<string, string>;
    query: (name?: string) => unknown;
  };
  private readonly vars = new Map<string, unknown>();

  constructor(incoming: IncomingMessage, path: string, search: string, params: Record<string, string>) {
    this.env = { incoming };
    this.req = {
      method: incoming.method ?? 'GET',
      path,
      header: (name) => {
        const v = incoming.headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      },
      param: () => params,
      query: (name?: string) => {
        const q = new URLSearchParams(search);
        if (name !== undefined) return q.get(name) ?? undefined;
        const all: Record<string, string> = {};
        for (const [k, v] of q) if (!(k in all)) all[k] = v;
        return all;
      },
    };
  }

  get(key: string): unknown {
    return this.vars.get(key);
  }

  set(key: string, value: unknown): void {
    this.vars.set(key, value);
  }

  json(value: unknown, status = 200): Answer {
    return { [ANSWER]: true, status, value };
  }
}

/** Builds the lane: `serve(req, res)` answers a hot route and returns true, or returns false (Hono's turn). */
export function createFastLane(d: FastLaneDeps) {
  const byMethod = new Map<string, HotRoute[]>();
  for (const r of d.routes) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  const base = Object.entries(d.headers);
  const debug = d.log.isLevelEnabled('debug');

  function write(res: ServerResponse, status: number, value: unknown, extra: Record<string, string>, withBase: boolean): void {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    const headers: [string, string][] = withBase ? [...base] : base.filter(([k]) => k !== 'cache-control');
    for (const [k, v] of Object.entries(extra)) headers.push([k.toLowerCase(), v]);
    headers.push(['content-type', 'application/json'], ['content-length', String(body.length)]);
    res.writeHead(status, headers.flat());
    res.end(body);
  }

  async function handle(route: HotRoute, match: RegExpExecArray, req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const method = route.method;
    if (d.lifecycle.closing) {
      // As the app's middleware answers it: before anything else (and so without no-store).
      write(res, 503, envelope('STORAGE_UNAVAILABLE', 'this server is shutting down; try again'), { connection: 'close', 'retry-after': '1' }, false);
      return;
    }
    const t0 = performance.now();
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => (params[name] = decode(match[i + 1]!)));
    const c = new LaneContext(req, path, search, params);
    const ip = clientAddress(d.proxies, req.socket.remoteAddress ?? '', c.req.header('x-forwarded-for')).slice(0, 64);
    c.set('ip', ip);
    c.set('maxBody', d.maxBody);
    let status: number;
    try {
      const refused = await declaredTooLarge(req, c.req.header('content-length'), c.req.header('transfer-encoding'), d.maxBody);
      if (refused) throw refused;
      const out = (await route.run(c as unknown as Context<AppEnv>)) as unknown as Answer;
      if (!out || out[ANSWER] !== true) throw new Error(`hot route ${method} ${route.path} answered with something the fast lane cannot write`);
      status = out.status;
      write(res, status, out.value, {}, true);
    } catch (err) {
      const a = d.answerError(err, method, path);
      status = a.status;
      write(res, status, a.body, a.headers, true);
    }
    d.metrics.request(d.group(method, path), status, (performance.now() - t0) / 1000);
    if (status < 400) d.health?.storageWorks();
    if (debug) d.log.debug({ method, path, status, ms: Math.round((performance.now() - t0) * 10) / 10, ip }, 'request');
  }

  return {
    serve(req: IncomingMessage, res: ServerResponse): boolean {
      const routes = byMethod.get(req.method ?? '');
      if (!routes) return false;
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      for (const route of routes) {
        const match = route.pattern.exec(path);
        if (!match) continue;
        handle(route, match, req, res, path, q === -1 ? '' : url.slice(q + 1)).catch((err: unknown) => {
          d.log.error({ err, path }, 'fast lane: could not answer');
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
        return true;
      }
      return false;
    },
  };
}

export type FastLane = ReturnType<typeof createFastLane>;

/**
 * The headers Hono puts on every /api/v1 JSON answer, read from Hono itself (the same secure-headers
 * middleware and options), so the fast lane cannot drift from them; plus `no-store`.
 */
export async function apiAnswerHeaders(secureHeaderOptions: Parameters<typeof secureHeaders>[0]): Promise<Record<string, string>> {
  const probe = new Hono().use('*', secureHeaders(secureHeaderOptions)).get('/', (c) => c.json({}));
  const res = await probe.request('/');
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'content-type' && k !== 'content-length') headers[k] = v;
  });
  headers['cache-control'] = 'no-store';
  return headers;
}
