import { describe, expect, it } from 'vitest';
import { answerShapeError } from './answers.ts';
import { activationBlocked, isOnline, silenceMs } from './policies.ts';
import { canResume, FINAL_STATUSES, initialState, isFinalStatus, isSilent, transition } from './state-machine.ts';
import type { SessionEvent, SessionState } from './types.ts';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const MIN = 60_000;

function run(s: SessionState, e: SessionEvent, at: number): SessionState {
  const r = transition(s, e, at);
  if (!r.ok) throw new Error(`${e.type} refused: ${r.code}`);
  return r.state;
}

describe('incident time (staff pauses)', () => {
  it('counts a staff pause when staff resume, and never a candidate or auto pause', () => {
    let s = initialState(60 * MIN, T0);
    s = run(s, { type: 'pause', by: 'staff', reason: 'fire alarm' }, T0 + MIN);
    s = run(s, { type: 'resume', by: 'staff' }, T0 + 6 * MIN);
    expect(s.incidentMs).toBe(5 * MIN);
    s = run(s, { type: 'pause', by: 'candidate' }, T0 + 7 * MIN);
    s = run(s, { type: 'resume', by: 'candidate' }, T0 + 9 * MIN);
    s = run(s, { type: 'auto-pause', lastSeenAt: T0 + 10 * MIN }, T0 + 11 * MIN);
    s = run(s, { type: 'recover-ok' }, T0 + 12 * MIN);
    expect(s.incidentMs).toBe(5 * MIN);
  });

  it('counts a staff pause that ends the session (force submit while paused)', () => {
    let s = run(initialState(60 * MIN, T0), { type: 'pause', by: 'staff' }, T0 + MIN);
    s = run(s, { type: 'submit', by: 'staff' }, T0 + 4 * MIN);
    expect(s).toMatchObject({ status: 'completed', incidentMs: 3 * MIN });
  });
});

describe('canResume', () => {
  it('only a paused, unlocked session the candidate (or a disconnect) paused', () => {
    const active = initialState(MIN, T0);
    expect(canResume(active)).toBe(false);
    expect(canResume(run(active, { type: 'pause', by: 'candidate' }, T0 + 1))).toBe(true);
    expect(canResume(run(active, { type: 'auto-pause', lastSeenAt: T0 }, T0 + 1))).toBe(true);
    expect(canResume(run(active, { type: 'pause', by: 'staff' }, T0 + 1))).toBe(false);
    const pausedThenLocked = run(run(active, { type: 'pause', by: 'candidate' }, T0 + 1), { type: 'lock', reason: 'x' }, T0 + 2);
    expect(canResume(pausedThenLocked)).toBe(false);
  });
});

describe('activation gate', () => {
  it('refuses to make a session active while another one of the candidate is active', () => {
    expect(activationBlocked({ status: 'paused' }, { status: 'active' }, [{ status: 'active' }])).toBe(true);
    expect(activationBlocked({ status: 'paused' }, { status: 'active' }, [{ status: 'paused' }, { status: 'completed' }])).toBe(false);
    // Staying active (a heartbeat, an extension) is not an activation.
    expect(activationBlocked({ status: 'active' }, { status: 'active' }, [{ status: 'active' }])).toBe(false);
    expect(activationBlocked({ status: 'paused' }, { status: 'completed' }, [{ status: 'active' }])).toBe(false);
  });
});

describe('final statuses', () => {
  it('is one list: completed, expired, terminated', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['completed', 'expired', 'terminated']);
    expect(isFinalStatus('paused')).toBe(false);
    expect(isFinalStatus('completed')).toBe(true);
  });
});

describe('silence and presence', () => {
  const policy = { heartbeatIntervalMs: 10_000, missedHeartbeatsBeforePause: 3 };
  it('the threshold is interval × missed beats, from the policy (not a fixed 3)', () => {
    expect(silenceMs(policy)).toBe(30_000);
    expect(silenceMs({ heartbeatIntervalMs: 2_000, missedHeartbeatsBeforePause: 5 })).toBe(10_000);
  });
  it('online while heard from within the threshold, never once final', () => {
    expect(isOnline('active', T0, T0 + 29_999, 30_000)).toBe(true);
    expect(isOnline('active', T0, T0 + 30_000, 30_000)).toBe(false);
    expect(isOnline('paused', T0, T0 + 1_000, 30_000)).toBe(true);
    expect(isOnline('completed', T0, T0 + 1_000, 30_000)).toBe(false);
    expect(isOnline('active', null, T0, 30_000)).toBe(false);
  });
  it('a locked session is never silent (its clock is stopped; its heartbeats are refused untouched)', () => {
    const s = initialState(60 * MIN, T0);
    expect(isSilent(s, T0, T0 + 30_000, 30_000)).toBe(true);
    expect(isSilent(run(s, { type: 'lock', reason: 'x' }, T0 + 1), T0, T0 + 60_000, 30_000)).toBe(false);
  });
});

describe('answer shape', () => {
  const single = { id: 'q1', type: 'single' as const, options: [{ id: 'a' }, { id: 'b' }] };
  const multiple = { id: 'q2', type: 'multiple' as const, options: [{ id: 'a' }, { id: 'b' }] };
  const text = { id: 'q3', type: 'text' as const };
  it.each([
    [single, 'a', null],
    [single, 'c', 'a single-choice question takes one of its option ids'],
    [single, ['a'], 'a single-choice question takes one of its option ids'],
    [multiple, ['a', 'b'], null],
    [multiple, [], null],
    [multiple, ['a', 'a'], 'a multiple-choice question takes a list of distinct option ids'],
    [multiple, ['z'], 'a multiple-choice question takes a list of distinct option ids'],
    [multiple, 'a', 'a multiple-choice question takes a list of distinct option ids'],
    [text, 'free text', null],
    [text, ['a'], 'a text question takes a string'],
    [text, null, null],
    [single, null, null],
  ])('%o with %o → %s', (q, v, want) => {
    expect(answerShapeError(q, v)).toBe(want);
  });
});
