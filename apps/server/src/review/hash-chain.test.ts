import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildArchive } from './archive-builder.ts';
import { canonicalJson } from './canonical-json.ts';
import { verifyArchive } from './hash-chain.ts';
import type { AttemptSnapshot } from '../ports/review-records.ts';

const T0 = 1_750_000_000_000;
const at = fc.integer({ min: T0, max: T0 + 3_600_000 });
const text = fc.string({ maxLength: 12 });
const detail = fc.option(fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), { nil: null });

/** A random attempt: a session, answers, and a timeline of audit events, alerts and instructions. */
const snapshotArb: fc.Arbitrary<AttemptSnapshot> = fc
  .record({
    audit: fc.array(fc.record({ at, actorType: fc.constantFrom('candidate', 'staff', 'system'), actorId: fc.option(text, { nil: null }), action: text, reason: fc.option(text, { nil: null }), detail, ip: fc.option(text, { nil: null }) }), { minLength: 1, maxLength: 10 }),
    alerts: fc.array(fc.record({ at, kind: text, severity: fc.constantFrom('info', 'warning', 'critical'), message: text, detail, acknowledgedAt: fc.option(at, { nil: null }), acknowledgedBy: fc.option(text, { nil: null }) }), { maxLength: 5 }),
    instructions: fc.array(fc.record({ type: fc.constantFrom('lock', 'message', 'quit'), message: fc.option(text, { nil: null }), reason: fc.option(text, { nil: null }), issuedAt: at, issuedBy: text, deliveredAt: fc.option(at, { nil: null }), ackedAt: fc.option(at, { nil: null }) }), { maxLength: 4 }),
    answers: fc.array(fc.record({ value: fc.oneof(text, fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }), fc.constant(null)), clientSeq: fc.nat(), savedAt: at }), { maxLength: 3 }),
    status: fc.constantFrom('completed' as const, 'expired' as const, 'terminated' as const),
    name: text,
  })
  .map((r) => ({
    session: {
      sessionId: 'sess-1',
      attemptId: 'att-1',
      candidateId: 'cand-1',
      examId: 'exam-1',
      state: { status: r.status, isLocked: false, lockReason: null, allowedMs: 3_600_000, usedMs: 1_000_000, runningSince: null, pausedAt: null, pauseKind: null, recoveryAttempts: 0, endedAt: T0 + 3_600_000, endReason: 'submitted' as const, incidentMs: 0 },
      startedAt: T0,
      devicePublicKey: 'k'.repeat(43),
      deviceFingerprint: 'fp',
      browserInfo: 'kiosk',
      ipAddress: '10.0.0.1',
      centerId: 'c1',
      roomId: 'r1',
      seat: 'A1',
      deviceGeneration: 0,
    },
    exam: {
      id: 'exam-1',
      title: 'Exam',
      durationMinutes: 60,
      questions: [
        { id: 'q1', type: 'single' as const, prompt: 'p', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], correct: ['a'] },
        { id: 'q2', type: 'multiple' as const, prompt: 'p', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }, { id: 'c', label: 'C' }], correct: ['a', 'c'], points: 2 },
        { id: 'q3', type: 'text' as const, prompt: 'p' },
      ],
    },
    candidateName: r.name,
    answers: r.answers.map((a, i) => ({ ...a, questionId: `q${i + 1}` })),
    audit: r.audit.map((a, i) => ({ ...a, id: i + 1 })),
    alerts: r.alerts.map((a, i) => ({ ...a, id: `alert-${i}` })),
    instructions: r.instructions.map((x, i) => ({ ...x, id: `instr-${i}` })),
  }));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside a JSON value (objects and arrays included, the root excluded). */
function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...prefix, k], ...paths((v as Record<string | number, Json>)[k]!, [...prefix, k])]);
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): void {
  let cur = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else cur[last] = value;
}

const mutationArb = fc.record({
  kind: fc.constantFrom('set', 'delete', 'add', 'swap', 'remove', 'duplicate', 'reverse'),
  i: fc.nat(),
  j: fc.nat(),
  pick: fc.nat(),
  key: fc.string({ maxLength: 6 }),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
});

type Mutation = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never;

/** Applies one mutation to the events of a parsed archive. */
function mutate(archive: { events: Json[] }, m: Mutation): void {
  const ev = archive.events;
  const i = m.i % ev.length;
  const j = m.j % ev.length;
  const target = ev[i] as Record<string, Json>;
  const ps = paths(target);
  const path = ps[m.pick % ps.length]!;
  switch (m.kind) {
    case 'set':
      setAt(target, path, m.value);
      break;
    case 'delete':
      setAt(target, path, undefined);
      break;
    case 'add': {
      const holder = m.pick % 2 === 0 ? target : (target.data as Record<string, Json>);
      holder[`x-${m.key}`] = m.value;
      break;
    }
    case 'swap':
      [ev[i], ev[j]] = [ev[j]!, ev[i]!];
      break;
    case 'remove':
      ev.splice(i, 1);
      break;
    case 'duplicate':
      ev.splice(j, 0, structuredClone(ev[i]!));
      break;
    case 'reverse':
      ev.reverse();
      break;
  }
}

describe('the archive hash chain', () => {
  it('a freshly built archive verifies, also re-serialized with other key order and whitespace', () => {
    fc.assert(
      fc.property(snapshotArb, (snap) => {
        const built = buildArchive(snap, T0 + 4_000_000, T0 + 4_000_000);
        const r = verifyArchive(built.content, built.chainHead);
        expect(r).toMatchObject({ valid: true, recomputedHead: built.chainHead, brokenAt: null, reason: null, events: snap.audit.length + snap.alerts.length + snap.instructions.length });
        expect(verifyArchive(JSON.stringify(JSON.parse(built.content), null, 2), built.chainHead).valid).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('any change to one event field, or to the events’ order or number, fails verification (fast-check)', () => {
    fc.assert(
      fc.property(snapshotArb, mutationArb, (snap, m) => {
        const built = buildArchive(snap, T0 + 4_000_000, T0 + 4_000_000);
        const doc = JSON.parse(built.content) as { events: Json[] };
        mutate(doc, m);
        fc.pre(canonicalJson(doc) !== built.content); // a "mutation" that changed nothing is no tampering
        const r = verifyArchive(JSON.stringify(doc), built.chainHead);
        expect(r.valid).toBe(false);
        expect(r.reason).toEqual(expect.any(String));
      }),
      { numRuns: 2_000 },
    );
  });

  it('exhaustively: every field of every event, changed one at a time, is caught at that event', () => {
    fc.assert(
      fc.property(snapshotArb, (snap) => {
        const built = buildArchive(snap, T0 + 4_000_000, T0 + 4_000_000);
        const original = JSON.parse(built.content) as { events: Record<string, Json>[] };
        original.events.forEach((event, i) => {
          for (const path of paths(event)) {
            const doc = structuredClone(original);
            const before = canonicalJson(path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, doc.events[i]!));
            setAt(doc.events[i]!, path, before === '"tampered"' ? 'tampered!' : 'tampered');
            const r = verifyArchive(JSON.stringify(doc), built.chainHead);
            expect(r.valid, `event ${i} ${path.join('.')}`).toBe(false);
            expect(r.brokenAt, `event ${i} ${path.join('.')}`).toBe(i);
          }
        });
      }),
      { numRuns: 30 },
    );
  });

  it('a change to the body (answers, metadata, scoring) fails through the genesis hash', () => {
    fc.assert(
      fc.property(snapshotArb, fc.constantFrom('metadata', 'device', 'answers', 'scoring', 'attemptId', 'sealedAt'), fc.nat(), (snap, part, pick) => {
        const built = buildArchive(snap, T0 + 4_000_000, T0 + 4_000_000);
        const doc = JSON.parse(built.content) as Record<string, Json>;
        const ps = [[part], ...paths(doc[part]!, [part])];
        setAt(doc, ps[pick % ps.length]!, 'tampered-value');
        fc.pre(canonicalJson(doc) !== built.content);
        const r = verifyArchive(JSON.stringify(doc), built.chainHead);
        expect(r.valid).toBe(false);
        expect(r.reason).toMatch(/genesis/);
      }),
      { numRuns: 300 },
    );
  });

  it('a wrong stored head, an edited chain record, or content that is not an archive is invalid and never throws', () => {
    const built = buildArchive(fc.sample(snapshotArb, { numRuns: 1, seed: 7 })[0]!, T0, T0);
    expect(verifyArchive(built.content, '0'.repeat(64))).toMatchObject({ valid: false, recomputedHead: built.chainHead });
    const doc = JSON.parse(built.content);
    doc.chain.head = '0'.repeat(64);
    expect(verifyArchive(JSON.stringify(doc), built.chainHead)).toMatchObject({ valid: false, reason: expect.stringMatching(/head written/) });
    for (const junk of ['', '{', 'null', '[]', '{"events":{}}', '{"events":[],"chain":1}', '{"events":[1,"x",null],"chain":{}}']) {
      const r = verifyArchive(junk, built.chainHead);
      expect(r.valid, junk).toBe(false);
      expect(r.reason, junk).toEqual(expect.any(String));
    }
  });
});

describe('canonical JSON', () => {
  it('is key-order independent and round-trips JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalJson(v);
        expect(canonicalJson(JSON.parse(c))).toBe(c);
        expect(JSON.parse(c)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });
});
