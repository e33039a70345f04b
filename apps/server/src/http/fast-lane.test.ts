import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestListener } from '../server.ts';
import { TestDevice } from '../testing/harness.ts';
import { adminTokenIn, candidateLoginIn, inProcess, provisionIn, type InProcess } from '../testing/in-process.ts';

/**
 * The fast lane (http/fast-lane.ts) must answer the hot routes exactly as Hono does. One server
 * (one database, a stopped clock), two listeners on two real ports: one with the fast lane, one
 * with everything through Hono. Two candidates with the same history, one per listener, send the
 * same requests; every answer — status, body and every header but Date — must be the same.
 */
let s: InProcess;
let lane: Server;
let hono: Server;
let staffToken: string;
interface Side {
  port: number;
  token: string;
  attemptId: string;
  dev: TestDevice;
}
let viaLane: Side;
let viaHono: Side;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A raw HTTP/1.1 request (no client-side rewriting of headers or body). `split`: the body goes out
 * in two halves, the second after a pause, so the server has to wait for the rest of it.
 */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string | Buffer, split = false): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined && split) {
      const cut = Math.floor(body.length / 2);
      req.write(body.slice(0, cut));
      setTimeout(() => req.end(body.slice(cut)), 50);
    } else if (body !== undefined) req.end(body);
    else req.end();
  });
}

const listen = (srv: Server) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)));

beforeAll(async () => {
  s = await inProcess();
  const p = await provisionIn(s, 2);
  staffToken = await adminTokenIn(s);
  lane = createServer(await requestListener(s, true));
  hono = createServer(await requestListener(s, false));
  const ports = [await listen(lane), await listen(hono)];
  const sides: Side[] = [];
  for (const [i, port] of ports.entries()) {
    const token = await candidateLoginIn(s, p.examId, p.candidates[i]!);
    const dev = new TestDevice(`fp-same-${i}`);
    const st = await s.api('POST', '/exams/sessions/start', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
    expect(st.status).toBe(201);
    sides.push({ port: port!, token, attemptId: st.body.attemptId as string, dev });
  }
  [viaLane, viaHono] = sides as [Side, Side];
});
afterAll(async () => {
  await new Promise((r) => lane.close(r));
  await new Promise((r) => hono.close(r));
  await s.close();
});

/** What must match: everything but the Date header (and the attempt's own id inside bodies). */
function comparable(r: Raw, side: Side) {
  const { date: _date, ...headers } = r.headers;
  return { status: r.status, headers, body: r.body.split(side.attemptId).join('<attempt>') };
}

type Case = (side: Side) => { method: string; path: string; headers: Record<string, string>; body?: string | Buffer; split?: boolean };
const json = (side: Side, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', authorization: `Bearer ${side.token}`, ...extra });

async function both(make: Case) {
  const a = make(viaLane);
  const b = make(viaHono);
  const ra = await send(viaLane.port, a.method, a.path, a.headers, a.body, a.split);
  const rb = await send(viaHono.port, b.method, b.path, b.headers, b.body, b.split);
  expect(comparable(ra, viaLane)).toEqual(comparable(rb, viaHono));
  return ra;
}

const HB = '/api/v1/exams/sessions/heartbeat';
const answer = (side: Side, q: string) => `/api/v1/exams/sessions/${side.attemptId}/answers/${q}`;

describe('the fast lane answers the hot routes exactly as Hono does', () => {
  it('a signed heartbeat, its replay, one without a signature, one signed by another key', async () => {
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: JSON.stringify(x.dev.heartbeat(x.attemptId, 1)) }))).status).toBe(200);
    const replay = await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: JSON.stringify(x.dev.heartbeat(x.attemptId, 1)) }));
    expect(JSON.parse(replay.body)).toMatchObject({ sessionValid: false });
    await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: JSON.stringify({ attemptId: x.attemptId, seq: 9, deviceFingerprint: x.dev.fingerprint }) }));
    const other = new TestDevice('fp-other');
    await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: JSON.stringify({ ...other.heartbeat(x.attemptId, 10), deviceFingerprint: x.dev.fingerprint }) }));
    // A query string does not change the route.
    expect((await both((x) => ({ method: 'POST', path: `${HB}?x=1`, headers: json(x), body: JSON.stringify(x.dev.heartbeat(x.attemptId, 11)) }))).status).toBe(200);
    // A body that arrives after its headers, declared or chunked, is read as it comes.
    const beat = (x: Side, seq: number) => JSON.stringify(x.dev.heartbeat(x.attemptId, seq));
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x, { 'content-length': String(Buffer.byteLength(beat(x, 12))) }), body: beat(x, 12), split: true }))).status).toBe(200);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x, { 'transfer-encoding': 'chunked' }), body: beat(x, 13), split: true }))).status).toBe(200);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x, { 'transfer-encoding': 'chunked' }), body: beat(x, 14) }))).status).toBe(200);
    expect(JSON.parse((await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: beat(x, 14), split: true }))).body)).toMatchObject({ sessionValid: false });
  });

  it('no token, a malformed Authorization header, an unknown token, a staff token', async () => {
    const body = (x: Side) => JSON.stringify(x.dev.heartbeat(x.attemptId, 20));
    expect((await both((x) => ({ method: 'POST', path: HB, headers: { 'content-type': 'application/json' }, body: body(x) }))).status).toBe(401);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: { 'content-type': 'application/json', authorization: 'Basic abc' }, body: body(x) }))).status).toBe(401);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: body(x) }))).status).toBe(401);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: { 'content-type': 'application/json', authorization: `Bearer ${staffToken}` }, body: body(x) }))).status).toBe(403);
  });

  it('bodies: not JSON, empty, the wrong shape, over the size limit (declared and chunked), an unknown attempt', async () => {
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: '{"attemptId":' }))).status).toBe(400);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: '' }))).status).toBe(400);
    const shape = await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: JSON.stringify({ attemptId: 5, seq: 'x' }) }));
    expect(JSON.parse(shape.body).error.code).toBe('VALIDATION_FAILED');
    const big = Buffer.alloc(300 * 1024, 0x61);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: big }))).status).toBe(413);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x, { 'transfer-encoding': 'chunked' }), body: big }))).status).toBe(413);
    expect((await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: JSON.stringify(x.dev.heartbeat('00000000-0000-4000-8000-000000000000', 30)) }))).status).toBe(404);
  });

  it('answer saves: saved, replayed, an older clientSeq, a bad question id, an encoded one, a bad value, somebody else’s attempt', async () => {
    const put = (q: string, body: unknown) => (x: Side) => ({ method: 'PUT', path: answer(x, q), headers: json(x), body: JSON.stringify(body) });
    expect((await both(put('q1', { value: 'a', clientSeq: 2 }))).status).toBe(200);
    expect((await both(put('q1', { value: 'a', clientSeq: 2 }))).status).toBe(200);
    await both(put('q1', { value: 'b', clientSeq: 1 }));
    await both(put('no-such-question', { value: 'a', clientSeq: 3 }));
    await both(put('q%33', { value: 'x', clientSeq: 4 }));
    expect((await both(put('q1', { value: { nested: [1, 2] }, clientSeq: 5 }))).status).toBeGreaterThanOrEqual(400);
    expect((await both(put('bad%20id%21', { value: 'a', clientSeq: 6 }))).status).toBe(400);
    // The other side's attempt: 404, as for an unknown one.
    const cross = await both((x) => {
      const other = x === viaLane ? viaHono : viaLane;
      return { method: 'PUT', path: answer(other, 'q1'), headers: json(x), body: JSON.stringify({ value: 'a', clientSeq: 7 }) };
    });
    expect(cross.status).toBe(404);
  });

  it('after submit: a heartbeat changes nothing and a save is refused, alike on both', async () => {
    for (const x of [viaLane, viaHono]) expect((await s.api('POST', `/exams/sessions/${x.attemptId}/submit`, undefined, x.token)).status).toBe(200);
    const hb = await both((x) => ({ method: 'POST', path: HB, headers: json(x), body: JSON.stringify(x.dev.heartbeat(x.attemptId, 40)) }));
    expect(JSON.parse(hb.body)).toMatchObject({ sessionValid: false, status: 'completed' });
    expect((await both((x) => ({ method: 'PUT', path: answer(x, 'q1'), headers: json(x), body: JSON.stringify({ value: 'b', clientSeq: 50 }) }))).status).toBe(409);
  });

  it('routes that are not hot go to Hono from either listener', async () => {
    const r = await both((x) => ({ method: 'GET', path: `/api/v1/exams/sessions/${x.attemptId}/answers`, headers: json(x) }));
    expect(r.status).toBe(200);
    expect((await both((x) => ({ method: 'GET', path: HB, headers: json(x) }))).status).toBe(404);
  });
});
