import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, TestDevice, type Reply, type SpawnedServer } from './testing/harness.ts';

/**
 * Every route of the served OpenAPI document is fed malformed JSON, wrong types, huge bodies and
 * unknown ids. Each must answer 4xx with the error envelope, never 5xx, and the server stays up.
 */
let s: SpawnedServer;
let ops: { method: string; path: string; roles?: string[]; hasBody: boolean; props: string[]; propSchemas: Record<string, any> }[];
let tokens: { admin: string; candidate: string };
let realIds: Record<string, string>;

beforeAll(async () => {
  s = await spawnServer();
  const p = await provision(s, 1);
  const candidate = await candidateLogin(s, p.examId, p.candidates[0]!);
  const dev = new TestDevice();
  const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey }, candidate);
  tokens = { admin: p.adminToken, candidate };
  realIds = { attemptId: st.body.attemptId, examId: p.examId, questionId: 'q1' };
  const doc = (await call(`${s.url}/api/openapi.json`, 'GET')).body;
  ops = [];
  for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      ops.push({ method: method.toUpperCase(), path, roles: op['x-roles'], hasBody: !!schema, props: Object.keys(schema?.properties ?? {}), propSchemas: schema?.properties ?? {} });
    }
  }
});
afterAll(() => s.kill());

function tokenFor(op: { roles?: string[] }): string | undefined {
  if (!op.roles) return undefined;
  return op.roles.includes('candidate') ? tokens.candidate : tokens.admin;
}

function fill(path: string, ids: 'real' | 'unknown' | 'long' | 'weird'): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (ids === 'real') return realIds[name] ?? 'x';
    if (ids === 'unknown') return name === 'questionId' ? 'no-such-question' : '3f0c6a52-0000-4000-8000-000000000000';
    if (ids === 'long') return 'z'.repeat(5_000);
    return encodeURIComponent("'; drop table exam_sessions; --\u0000../");
  });
}

function expectEnvelope(r: Reply, what: string): void {
  expect(r.status, `${what} → ${r.status} ${JSON.stringify(r.body)?.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, what).toBeLessThan(500);
  expect(typeof r.body?.error?.code, what).toBe('string');
  expect(typeof r.body?.error?.message, what).toBe('string');
}

/** A valid body per route with a path id, so an unknown id is what the route trips on. */
const VALID_BODIES: [string, string, unknown][] = [
  ['/answers/{questionId}', 'PUT', { value: 'a', clientSeq: 1 }],
  ['/recover', 'POST', { recoveryToken: 'A'.repeat(43) }],
  ['/candidates', 'POST', { candidates: [{ candidateId: 'c1', name: 'n', accessCode: 'abcdef' }] }],
  ['/actions', 'POST', { action: 'lock', reason: 'fuzzing' }],
  ['/transfer', 'POST', { reason: 'fuzzing' }],
  ['/roles/{role}', 'PUT', { idleTimeoutMinutes: 30, absoluteTimeoutMinutes: 60, maxSessions: 2, onLimit: 'deny_new' }],
  ['/admin/centers/{centerId}', 'PATCH', { name: 'Fuzz Hall' }],
  ['/admin/centers/{centerId}/rooms', 'POST', { name: 'Fuzz Room' }],
  ['/admin/rooms/{roomId}', 'PATCH', { name: 'Fuzz Room' }],
  ['/admin/staff/{staffId}', 'PATCH', { displayName: 'Fuzz' }],
  ['/admin/staff/{staffId}/password', 'POST', { password: 'fuzz-password-123' }],
  ['/admin/staff/{staffId}/assignments', 'PUT', { assignments: [] }],
  ['/admin/exams/{examId}', 'PATCH', { title: 'Fuzz' }],
  ['/window', 'PUT', { opensAt: null, closesAt: null }],
  ['/policy', 'PUT', {}],
  ['/registrations/{candidateId}', 'PUT', { seat: '1' }],
  ['/offline-key', 'POST', { boxPublicKey: 'A'.repeat(43), signature: 'A'.repeat(86) }],
  ['/offline-code', 'POST', { challenge: 'ABCDE-FGHJK-MNPQR' }],
  ['/id-check', 'POST', { checked: true }],
  ['/check-waiver', 'POST', { reason: 'fuzzing', checks: ['displays'] }],
  ['/rooms/{roomId}/pause', 'POST', { reason: 'fuzzing' }],
  ['/rooms/{roomId}/resume', 'POST', { reason: 'fuzzing' }],
  ['/rooms/{roomId}/lock', 'POST', { reason: 'fuzzing' }],
  ['/rooms/{roomId}/message', 'POST', { message: 'fuzzing' }],
  ['/rooms/{roomId}/extend', 'POST', { reason: 'fuzzing', minutes: 1 }],
  ['/accommodations', 'PUT', { extraTimeMinutes: 5 }],
  ['/marks/{questionId}', 'PUT', { points: 1 }],
];

/** The JSON type name of a value, as an OpenAPI schema would declare it. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'number' ? 'number' : typeof v;
}

/** Whether the declared schema of a property accepts a value of this JSON type (so it is not a wrong type). */
function typeAccepted(schema: any, v: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const t = jsonType(v);
  const declared: unknown = schema.type;
  const types = Array.isArray(declared) ? declared : declared ? [declared] : [];
  if (types.some((d) => d === t || (d === 'integer' && t === 'number' && Number.isInteger(v)))) return true;
  if (schema.nullable && t === 'null') return true;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some((s: any) => typeAccepted(s, v));
}

const WRONG_VALUES: unknown[] = [null, 12345, -1.5, true, 'a string', [], [1, 2], {}, { nested: { deep: [null] } }, 'x'.repeat(300_000).slice(0, 10_000)];

describe('bad input never breaks a route', () => {
  it('has routes to test', () => {
    expect(ops.length).toBeGreaterThanOrEqual(13);
  });

  it('malformed JSON, wrong top-level types, and huge bodies → 400/413 with the envelope', async () => {
    for (const op of ops.filter((o) => o.hasBody)) {
      const url = `${s.url}${fill(op.path, 'real')}`;
      const t = tokenFor(op);
      for (const raw of ['{', '{"a":', 'nul', '[1,2', '\u0000', '{"examSetId": undefined}']) {
        expectEnvelope(await call(url, op.method, raw, t), `${op.method} ${op.path} body ${JSON.stringify(raw)}`);
      }
      for (const v of [null, 1, 'str', [], true]) {
        expectEnvelope(await call(url, op.method, JSON.stringify(v), t), `${op.method} ${op.path} top-level ${JSON.stringify(v)}`);
      }
      // Admin imports and offline bundles take up to 16 MiB; everything else 256 KiB.
      const large = op.path.startsWith('/api/v1/admin') || op.path === '/api/v1/proctor/offline-bundles';
      const huge = JSON.stringify({ pad: 'x'.repeat(large ? 17 * 1024 * 1024 : 300 * 1024) });
      const r = await call(url, op.method, huge, t);
      expectEnvelope(r, `${op.method} ${op.path} huge`);
      expect(r.status).toBe(413);
    }
  });

  it('each field given a wrong type or a missing value → 400 VALIDATION_FAILED', async () => {
    for (const op of ops.filter((o) => o.hasBody && o.props.length)) {
      const url = `${s.url}${fill(op.path, 'unknown')}`;
      for (const prop of op.props) {
        for (const v of WRONG_VALUES) {
          // A value of the declared type is not a wrong type; a lone valid field may legitimately pass.
          if (typeAccepted(op.propSchemas[prop], v)) continue;
          const body = { [prop]: v };
          const r = await call(url, op.method, body, tokenFor(op));
          expectEnvelope(r, `${op.method} ${op.path} {${prop}: ${JSON.stringify(v)?.slice(0, 30)}}`);
        }
      }
      expectEnvelope(await call(url, op.method, {}, tokenFor(op)), `${op.method} ${op.path} {}`);
    }
  });

  it('unknown, overlong and hostile ids → 4xx (404 for well-formed unknown ids)', async () => {
    for (const op of ops.filter((o) => o.path.includes('{'))) {
      for (const ids of ['unknown', 'long', 'weird'] as const) {
        const url = `${s.url}${fill(op.path, ids)}`;
        const body = VALID_BODIES.find(([suffix, method]) => op.path.endsWith(suffix) && op.method === method)?.[2];
        expect(op.hasBody ? body : 'no body', `a valid body for ${op.method} ${op.path}`).toBeDefined();
        const r = await call(url, op.method, body, tokenFor(op));
        expectEnvelope(r, `${op.method} ${op.path} ids=${ids}`);
        // Ids that do not exist are 404; a value outside an enum ({role}) is a 400.
        if (ids === 'unknown') expect(r.status, `${op.method} ${op.path}`).toBe(op.path.includes('{role}') ? 400 : 404);
      }
    }
  });

  it('no token, a garbage token or a malformed Authorization header → 401 on every protected route', async () => {
    for (const op of ops.filter((o) => o.roles)) {
      const url = `${s.url}${fill(op.path, 'unknown')}`;
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }, { authorization: 'Bearer ' + 'a'.repeat(5_000) }]) {
        const r = await call(url, op.method, op.hasBody ? {} : undefined, undefined, headers);
        expectEnvelope(r, `${op.method} ${op.path} ${JSON.stringify(headers).slice(0, 40)}`);
        expect(r.status).toBe(401);
      }
    }
  });

  it('random JSON bodies (fast-check) never produce a 5xx', async () => {
    for (const op of ops.filter((o) => o.hasBody)) {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (v) => {
          const r = await call(`${s.url}${fill(op.path, 'unknown')}`, op.method, JSON.stringify(v), tokenFor(op));
          expect(r.status).toBeLessThan(500);
          if (r.status >= 400) expect(typeof r.body?.error?.code).toBe('string');
        }),
        { numRuns: 40 },
      );
    }
  });

  it('the server is still up and nothing it logged was a 500', async () => {
    expect((await call(`${s.url}/healthz`, 'GET')).body.status).toBe('ok');
    expect(s.output()).not.toMatch(/unhandled error/);
  });
});
