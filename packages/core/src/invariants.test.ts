// Property-based tests of the exam-session invariants in DESIGN.md:
//   final states stay final; the clock never runs while paused or locked; remaining time only
//   grows through an extension; a locked session accepts nothing from the candidate; a refused
//   event changes nothing; never two active sessions per candidate.
// Histories are random event sequences applied at non-decreasing times, the way a server would.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clockRuns, remainingMs, usedAt } from './clock.ts';
import { decideStart, blockReason, mayActivate } from './policies.ts';
import { initialState, isFinal, settle, transition } from './state-machine.ts';
import type { SessionEvent, SessionState, SessionStatus, TransitionResult } from './types.ts';

const RUNS = { numRuns: 500 };
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

// ---------- generators ----------

/** An event as generated: auto-pause carries "silent for" so lastSeenAt can be placed relative to `now`. */
type EventSpec = Exclude<SessionEvent, { type: 'auto-pause' }> | { type: 'auto-pause'; silentFor: number };

const by = fc.constantFrom('candidate' as const, 'staff' as const);

const arbEvent: fc.Arbitrary<EventSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ type: 'heartbeat' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('pause' as const), by, reason: fc.option(fc.constantFrom('toilet', 'noise'), { nil: undefined }) }, { requiredKeys: ['type', 'by'] }) },
  // silentFor < 0: lastSeenAt in the future (clock skew); large: silent since before the clock started.
  { weight: 2, arbitrary: fc.record({ type: fc.constant('auto-pause' as const), silentFor: fc.integer({ min: -5_000, max: 300_000 }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('resume' as const), by }) },
  { weight: 2, arbitrary: fc.constant({ type: 'recover-ok' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('recover-bad' as const), maxAttempts: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('lock' as const), reason: fc.constantFrom('staff', 'suspicious') }) },
  { weight: 2, arbitrary: fc.constant({ type: 'unlock' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('submit' as const), by }) },
  { weight: 1, arbitrary: fc.constant({ type: 'expire' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('terminate' as const), by }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('extend' as const),
      ms: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 600_000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1_000, 1.5) }),
    }),
  },
);

const arbDt = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 2_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 2_000, max: 120_000 }) },
);

const arbAllowed = fc.integer({ min: 1_000, max: 600_000 });

interface StepSpec {
  dt: number;
  event: EventSpec;
  /** Whether the caller settle()s before applying the event, as the server does. */
  settleFirst: boolean;
}
const arbStep: fc.Arbitrary<StepSpec> = fc.record({ dt: arbDt, event: arbEvent, settleFirst: fc.boolean() });

interface HistorySpec {
  allowedMs: number;
  steps: StepSpec[];
}
const arbHistory: fc.Arbitrary<HistorySpec> = fc.record({ allowedMs: arbAllowed, steps: fc.array(arbStep, { maxLength: 40, size: 'large' }) });

function materialize(e: EventSpec, now: number): SessionEvent {
  return e.type === 'auto-pause' ? { type: 'auto-pause', lastSeenAt: now - e.silentFor } : e;
}

interface Step {
  before: SessionState;
  event: SessionEvent | 'settle';
  now: number;
  result: TransitionResult;
}
interface History {
  initial: SessionState;
  steps: Step[];
  /** Every state the session was in, with the time it was entered. */
  states: { state: SessionState; at: number }[];
  final: SessionState;
  now: number;
}

function run(spec: HistorySpec): History {
  let now = T0;
  let state = initialState(spec.allowedMs, now);
  const initial = state;
  const steps: Step[] = [];
  const states = [{ state, at: now }];
  for (const s of spec.steps) {
    now += s.dt;
    if (s.settleFirst) {
      const settled = settle(state, now);
      if (settled) {
        steps.push({ before: state, event: 'settle', now, result: settled });
        state = settled.state;
        states.push({ state, at: now });
      }
    }
    const event = materialize(s.event, now);
    const result = transition(state, event, now);
    steps.push({ before: state, event, now, result });
    state = result.state;
    states.push({ state, at: now });
  }
  return { initial, steps, states, final: state, now };
}

const arbRun = arbHistory.map(run);

/** A reachable session that is still open (not final), settled at the time it was reached. */
const arbOpen = arbRun
  .map((h) => {
    const open = h.states.filter((x) => !isFinal(x.state) && settle(x.state, x.at) === null);
    return open[open.length - 1] ?? { state: h.initial, at: T0 };
  });

const CANDIDATE_EVENTS: SessionEvent[] = [
  { type: 'heartbeat' },
  { type: 'pause', by: 'candidate' },
  { type: 'resume', by: 'candidate' },
  { type: 'submit', by: 'candidate' },
  { type: 'recover-ok' },
  { type: 'recover-bad', maxAttempts: 1 },
  { type: 'recover-bad', maxAttempts: 3 },
];

// ---------- properties ----------

describe('exam-session invariants (property-based)', () => {
  it('a refused transition never changes the state', () => {
    fc.assert(
      fc.property(arbRun, (h) => {
        for (const step of h.steps) {
          if (!step.result.ok) expect(step.result.state).toStrictEqual(step.before);
        }
      }),
      RUNS,
    );
  });

  it('final states stay final: every later event is refused and the state is unchanged', () => {
    fc.assert(
      fc.property(arbRun, (h) => {
        let finalState: SessionState | null = null;
        for (const step of h.steps) {
          if (finalState) {
            expect(step.before).toStrictEqual(finalState);
            expect(step.result.ok).toBe(false);
            if (!step.result.ok) expect(step.result.code).toBe('SESSION_FINISHED');
            expect(step.result.state).toStrictEqual(finalState);
          }
          if (isFinal(step.result.state)) finalState ??= step.result.state;
        }
      }),
      RUNS,
    );
  });

  it('a forced end is final against any event at any later time, and settle() leaves it alone', () => {
    const arbEnd = fc.constantFrom<SessionEvent>(
      { type: 'submit', by: 'staff' },
      { type: 'submit', by: 'candidate' },
      { type: 'terminate', by: 'staff' },
      { type: 'expire' },
    );
    fc.assert(
      fc.property(arbOpen, arbEnd, fc.array(fc.tuple(arbDt, arbEvent), { maxLength: 20 }), ({ state, at }, end, later) => {
        let ended = end.type === 'expire' ? transition(transition(state, { type: 'pause', by: 'staff' }, at).state, end, at) : transition(state, end, at);
        if (!ended.ok) ended = transition(state, { type: 'terminate', by: 'staff' }, at);
        expect(ended.ok).toBe(true);
        const done = ended.state;
        expect(isFinal(done)).toBe(true);
        expect(done.endedAt).toBe(at);
        let now = at;
        const left = remainingMs(done, now);
        for (const [dt, spec] of later) {
          now += dt;
          expect(settle(done, now)).toBeNull();
          const r = transition(done, materialize(spec, now), now);
          expect(r.ok).toBe(false);
          expect(r.state).toStrictEqual(done);
          expect(remainingMs(done, now)).toBe(left);
        }
      }),
      RUNS,
    );
  });

  it('the clock runs exactly when the session is active and unlocked', () => {
    fc.assert(
      fc.property(arbRun, (h) => {
        for (const { state } of h.states) {
          expect(state.runningSince !== null).toBe(clockRuns(state));
        }
      }),
      RUNS,
    );
  });

  it('every reachable state is well-formed', () => {
    fc.assert(
      fc.property(arbRun, (h) => {
        for (const { state } of h.states) {
          expect(state.pausedAt !== null, 'pausedAt set iff paused').toBe(state.status === 'paused');
          expect(state.pauseKind !== null, 'pauseKind set iff paused').toBe(state.status === 'paused');
          expect(state.endedAt !== null, 'endedAt set iff final').toBe(isFinal(state));
          expect(state.endReason !== null, 'endReason set iff final').toBe(isFinal(state));
          expect(state.lockReason !== null, 'lockReason set iff locked').toBe(state.isLocked);
          expect(state.recoveryAttempts).toBeGreaterThanOrEqual(0);
        }
      }),
      RUNS,
    );
  });

  it('only staff lift a staff pause', () => {
    fc.assert(
      fc.property(arbRun, (h) => {
        for (const { before, event, result } of h.steps) {
          if (before.status !== 'paused' || before.pauseKind !== 'staff' || result.state.status !== 'active') continue;
          expect(event !== 'settle' && event.type === 'resume' && event.by === 'staff', `lifted by ${JSON.stringify(event)}`).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('the clock never runs while paused, locked or ended: remaining time is frozen', () => {
    fc.assert(
      fc.property(arbRun, fc.nat(10_000_000), fc.nat(10_000_000), (h, a, b) => {
        for (const { state, at } of h.states) {
          if (state.status === 'active' && !state.isLocked) continue;
          const t1 = at + a;
          const t2 = t1 + b;
          expect(remainingMs(state, t2)).toBe(remainingMs(state, t1));
          expect(remainingMs(state, t1)).toBe(remainingMs(state, at));
          expect(usedAt(state, t2)).toBe(usedAt(state, at));
        }
      }),
      RUNS,
    );
  });

  it('remaining time stays within [0, allowedMs] and only increases through an extension (or the auto-pause refund)', () => {
    fc.assert(
      fc.property(arbRun, (h) => {
        let prev: { state: SessionState; at: number } = { state: h.initial, at: T0 };
        for (const step of h.steps) {
          const { before, now, result, event } = step;
          // Time passing alone never adds time.
          expect(before).toBe(prev.state);
          expect(remainingMs(before, now)).toBeLessThanOrEqual(remainingMs(prev.state, prev.at));

          const r0 = remainingMs(before, now);
          const r1 = remainingMs(result.state, now);
          for (const s of [before, result.state]) {
            expect(s.usedMs).toBeGreaterThanOrEqual(0);
            expect(s.usedMs).toBeLessThanOrEqual(s.allowedMs);
            expect(remainingMs(s, now)).toBeGreaterThanOrEqual(0);
            expect(remainingMs(s, now)).toBeLessThanOrEqual(s.allowedMs);
          }
          if (result.ok && event !== 'settle' && event.type === 'extend') {
            expect(result.state.allowedMs).toBe(before.allowedMs + event.ms);
            expect(r1).toBeLessThanOrEqual(r0 + event.ms);
          } else if (result.ok && event !== 'settle' && event.type === 'auto-pause') {
            // Auto-pause gives back the silent time, never more: what was left at the last sign of life.
            expect(r1).toBeGreaterThanOrEqual(r0);
            expect(r1).toBe(remainingMs(before, Math.min(now, event.lastSeenAt)));
          } else {
            expect(r1).toBe(r0);
          }
          prev = { state: result.state, at: now };
        }
      }),
      RUNS,
    );
  });

  it('a locked session accepts nothing from the candidate', () => {
    fc.assert(
      fc.property(arbRun, arbDt, (h, dt) => {
        for (const { state, at } of h.states) {
          if (!state.isLocked || isFinal(state)) continue;
          for (const event of CANDIDATE_EVENTS) {
            const r = transition(state, event, at + dt);
            expect(r.ok, `${event.type} on a locked session`).toBe(false);
            if (!r.ok) expect(r.code).toBe('SESSION_LOCKED');
            expect(r.state).toStrictEqual(state);
          }
        }
      }),
      RUNS,
    );
  });

  it('reaching maxAttempts failed recoveries locks the session; then recover-ok is refused', () => {
    fc.assert(
      fc.property(arbOpen, fc.integer({ min: 1, max: 6 }), fc.array(arbDt, { minLength: 7, maxLength: 7 }), ({ state, at }, maxAttempts, dts) => {
        fc.pre(!state.isLocked);
        const expected = Math.max(1, maxAttempts - state.recoveryAttempts);
        let s = state;
        let now = at;
        for (let i = 1; i <= expected; i++) {
          // Time may pass only while the clock cannot run out underneath us.
          if (!clockRuns(s)) now += dts[i - 1] ?? 0;
          const r = transition(s, { type: 'recover-bad', maxAttempts }, now);
          expect(r.ok).toBe(true);
          s = r.state;
          expect(s.isLocked).toBe(i === expected);
        }
        expect(s.status).toBe(state.status);
        expect(s.runningSince).toBeNull();
        now += dts[6] ?? 0;
        for (const event of [{ type: 'recover-ok' }, { type: 'recover-bad', maxAttempts }] as const) {
          const r = transition(s, event, now);
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.code).toBe('SESSION_LOCKED');
          expect(r.state).toStrictEqual(s);
        }
      }),
      RUNS,
    );
  });

  it('auto-pause charges exam time only up to lastSeenAt', () => {
    fc.assert(
      fc.property(arbOpen, fc.integer({ min: -5_000, max: 300_000 }), fc.nat(1_000_000), ({ state, at }, silentFor, later) => {
        fc.pre(state.status === 'active');
        const lastSeenAt = at - silentFor;
        const r = transition(state, { type: 'auto-pause', lastSeenAt }, at);
        expect(r.ok).toBe(true);
        expect(r.state.status).toBe('paused');
        expect(r.state.pauseKind).toBe('auto');
        expect(r.state.pausedAt).toBe(at);
        expect(r.state.runningSince).toBeNull();
        const chargedUntil = Math.min(at, lastSeenAt);
        // What is left is exactly what was left at the last sign of life (or when the clock started, if later)...
        expect(remainingMs(r.state, at + later)).toBe(remainingMs(state, chargedUntil));
        // ...which for a running clock means usedMs grew by exactly the time seen alive.
        if (state.runningSince !== null) {
          const seen = Math.max(0, chargedUntil - state.runningSince);
          expect(r.state.usedMs).toBe(Math.min(state.allowedMs, state.usedMs + seen));
        } else {
          expect(r.state.usedMs).toBe(state.usedMs);
        }
      }),
      RUNS,
    );
  });

  it('settle() completes a running session at the exact moment its time ran out', () => {
    fc.assert(
      fc.property(arbOpen, fc.nat(1_000_000), ({ state, at }, late) => {
        fc.pre(clockRuns(state));
        const timeUpAt = at + remainingMs(state, at);
        expect(settle(state, timeUpAt - 1)).toBeNull();
        const s = settle(state, timeUpAt + late);
        expect(s).not.toBeNull();
        expect(s?.state.status).toBe('completed');
        expect(s?.state.endReason).toBe('time_up');
        expect(s?.state.endedAt).toBe(timeUpAt);
        expect(s?.state.usedMs).toBe(state.allowedMs);
        expect(s && settle(s.state, timeUpAt + late)).toBeNull();
      }),
      RUNS,
    );
  });
});

// ---------- one candidate, several exams ----------

type Op =
  | { kind: 'start'; exam: number; dt: number }
  /** `pick` chooses among the sessions that exist at that point. */
  | { kind: 'event'; pick: number; dt: number; event: EventSpec };

/** Events biased towards pausing and reviving, so several sessions coexist and compete for "active". */
const arbLiveEvent: fc.Arbitrary<EventSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('pause' as const), by }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('auto-pause' as const), silentFor: fc.integer({ min: 0, max: 60_000 }) }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('resume' as const), by }) },
  { weight: 4, arbitrary: fc.constant({ type: 'recover-ok' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('recover-bad' as const), maxAttempts: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('lock' as const), reason: fc.constant('staff') }) },
  { weight: 2, arbitrary: fc.constant({ type: 'unlock' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'heartbeat' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('extend' as const), ms: fc.integer({ min: 1, max: 600_000 }) }) },
  { weight: 2, arbitrary: arbEvent },
);

const arbOp = (exams: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('start' as const), exam: fc.nat(exams - 1), dt: fc.nat(60_000) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('event' as const), pick: fc.nat(3), dt: fc.nat(60_000), event: arbLiveEvent }) },
  );

const arbCandidate = fc.integer({ min: 2, max: 4 }).chain((exams) =>
  fc.record({
    exams: fc.constant(exams),
    maxPaused: fc.integer({ min: 1, max: 3 }),
    allowedMs: fc.integer({ min: 1_800_000, max: 7_200_000 }),
    ops: fc.array(arbOp(exams), { maxLength: 60, size: 'large' }),
  }),
);

describe('one candidate, several exams (property-based)', () => {
  it('never has two active sessions', () => {
    fc.assert(
      fc.property(arbCandidate, ({ exams, maxPaused, allowedMs, ops }) => {
        const sessions = new Map<number, SessionState>();
        const summaries = (except?: number) =>
          [...sessions].filter(([k]) => k !== except).map(([k, s]) => ({ examId: `exam-${k}`, status: s.status }));
        let now = T0;
        for (const op of ops) {
          now += op.dt;
          // The server settles every loaded session before deciding anything.
          for (const [k, s] of sessions) sessions.set(k, settle(s, now)?.state ?? s);

          if (op.kind === 'start') {
            const decision = decideStart(summaries(), `exam-${op.exam}`, maxPaused);
            if (decision.ok) {
              expect(sessions.has(op.exam)).toBe(false);
              expect(blockReason(summaries(), maxPaused)).toBeUndefined();
              sessions.set(op.exam, initialState(allowedMs, now));
            }
          } else {
            const exam = [...sessions.keys()][op.pick % Math.max(1, sessions.size)];
            const s = exam === undefined ? undefined : sessions.get(exam);
            if (exam === undefined || !s) continue;
            const r = transition(s, materialize(op.event, now), now);
            const activates = r.ok && r.state.status === 'active' && s.status !== 'active';
            // The server applies a transition into "active" only when no other session is active.
            const gated = op.event.type === 'resume' || op.event.type === 'recover-ok';
            if (activates && gated && !mayActivate(summaries(exam))) continue;
            sessions.set(exam, r.state);
          }
          const active = [...sessions.values()].filter((s) => s.status === 'active').length;
          expect(active).toBeLessThanOrEqual(1);
          expect(sessions.size).toBeLessThanOrEqual(exams);
        }
      }),
      RUNS,
    );
  });

  it('blockReason() set means decideStart() refuses every exam', () => {
    const arbStatus = fc.constantFrom<SessionStatus>('active', 'paused', 'expired', 'completed', 'terminated');
    fc.assert(
      fc.property(
        fc.array(fc.record({ examId: fc.constantFrom('a', 'b', 'c', 'd'), status: arbStatus }), { maxLength: 6 }),
        fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        fc.integer({ min: 1, max: 3 }),
        (sessions, examId, maxPaused) => {
          const decision = decideStart(sessions, examId, maxPaused);
          if (blockReason(sessions, maxPaused) !== undefined) expect(decision.ok).toBe(false);
          if (decision.ok) {
            expect(sessions.some((s) => s.examId === examId)).toBe(false);
            expect(mayActivate(sessions)).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });
});

// ---------- regressions: properties that once found bugs in core ----------
describe('found by these properties, fixed in core', () => {
  it('a locked session refuses a candidate terminate (abandon) as well', () => {
    fc.assert(
      fc.property(arbRun, arbDt, (h, dt) => {
        for (const { state, at } of h.states) {
          if (!state.isLocked || isFinal(state)) continue;
          const r = transition(state, { type: 'terminate', by: 'candidate' }, at + dt);
          expect(r.ok, 'candidate terminate on a locked session').toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('an accepted extension adds exactly its length to the time left', () => {
    fc.assert(
      fc.property(arbOpen, fc.nat(1_000_000), fc.integer({ min: 1, max: 600_000 }), ({ state, at }, later, ms) => {
        const now = at + later;
        const r = transition(state, { type: 'extend', ms }, now);
        if (r.ok) expect(remainingMs(r.state, now)).toBe(remainingMs(state, now) + ms);
      }),
      { numRuns: 200 },
    );
  });
});
