import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { Metrics } from '../ports/metrics.ts';
import { declaredTooLarge, declaresTooLarge } from './body.ts';
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

/**
 * The part of Hono's Context.req the registry's routes use, over a node:http request. Methods on a
 * prototype, not closures made per request: a heartbeat builds one of these and nothing else.
 */
class LaneRequest {
  readonly method: string;
  constructor(
    private readonly incoming: IncomingMessage,
    readonly path: string,
    private readonly search: string,
    private readonly params: Record<string, string>,
  ) {
    this.method = incoming.method ?? 'GET';
  }

  header(name: string): string | undefined {
    const v = this.incoming.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  param(): Record<string, string> {
    return this.params;
  }

  query(name?: string): unknown {
    const q = new URLSearchParams(this.search);
    if (name !== undefined) return q.get(name) ?? undefined;
    const all: Record<string, string> = {};
    for (const [k, v] of q) if (!(k in all)) all[k] = v;
    return all;
  }
}

/** The part of Hono's Context the registry's routes use, over a node:http request. */
class LaneContext {
  readonly env: { incoming: IncomingMessage };
  readonly req: LaneRequest;
  private readonly vars = new Map<string, unknown>();

  constructor(incoming: IncomingMessage, path: string, search: string, params: Record<string, string>) {
    this.env = { incoming };
    this.req = new LaneRequest(incoming, path, search, params);
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
  // The answer's headers as writeHead takes them (name, value, name, value…), flattened once: with
  // the base headers (and no-store), and without no-store (the 503 of a shutdown).
  const withCache = Object.entries(d.headers).flat();
  const withoutCache = Object.entries(d.headers)
    .filter(([k]) => k !== 'cache-control')
    .flat();
  // Node joins a string body to the header block into one chunk (a Buffer body is a chunk of its
  // own, after a copy out of the string), encoding the whole as UTF-8: the same bytes as long as
  // every header is ASCII. Answers with extra headers (errors) keep the Buffer body, whatever their
  // headers hold.
  const asciiBase = withCache.every((v) => /^[\x00-\x7f]*$/.test(v));
  const debug = d.log.isLevelEnabled('debug');

  function write(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> | null, withBase: boolean): void {
    const json = JSON.stringify(value);
    const headers = (withBase ? withCache : withoutCache).slice();
    if (extra) for (const k in extra) headers.push(k.toLowerCase(), extra[k]!);
    if (extra === null && asciiBase) {
      headers.push('content-type', 'application/json', 'content-length', String(Buffer.byteLength(json, 'utf8')));
      res.writeHead(status, headers);
      res.end(json, 'utf8');
      return;
    }
    const body = Buffer.from(json, 'utf8');
    headers.push('content-type', 'application/json', 'content-length', String(body.length));
    res.writeHead(status, headers);
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
    for (let i = 0; i < route.params.length; i++) params[route.params[i]!] = decode(match[i + 1]!);
    const c = new LaneContext(req, path, search, params);
    const ip = clientAddress(d.proxies, req.socket.remoteAddress ?? '', c.req.header('x-forwarded-for')).slice(0, 64);
    c.set('ip', ip);
    c.set('maxBody', d.maxBody);
    let status: number;
    try {
      const contentLength = c.req.header('content-length');
      const transferEncoding = c.req.header('transfer-encoding');
      if (declaresTooLarge(contentLength, transferEncoding, d.maxBody)) throw await declaredTooLarge(req, contentLength, transferEncoding, d.maxBody);
      const out = (await route.run(c as unknown as Context<AppEnv>)) as unknown as Answer;
      if (!out || out[ANSWER] !== true) throw new Error(`hot route ${method} ${route.path} answered with something the fast lane cannot write`);
      status = out.status;
      write(res, status, out.value, null, true);
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
