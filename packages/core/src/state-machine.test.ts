import { describe, expect, it } from 'vitest';
import { remainingMs } from './clock.ts';
import { initialState, isFinal, isSilent, settle, shouldExpire, transition } from './state-machine.ts';
import type { SessionEvent, SessionState, TransitionResult } from './types.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

/** Applies an event that must be accepted, returning the new state. */
function ok(state: SessionState, event: SessionEvent, now: number): SessionState {
  const r = transition(state, event, now);
  if (!r.ok) throw new Error(`expected ${event.type} to be accepted, got ${r.code}: ${r.message}`);
  return r.state;
}

function refused(r: TransitionResult): string {
  if (r.ok) throw new Error('expected the event to be refused');
  return r.code;
}

describe('initialState', () => {
  it('starts active, unlocked, with the clock running from now', () => {
    const s = initialState(HOUR, T0);
    expect(s).toMatchObject({ status: 'active', isLocked: false, usedMs: 0, runningSince: T0, allowedMs: HOUR });
    expect(remainingMs(s, T0 + 10 * MIN)).toBe(50 * MIN);
  });
});

describe('pause and resume', () => {
  it('pausing stops the clock; resuming restarts it from the resume time', () => {
    let s = initialState(HOUR, T0);
    s = ok(s, { type: 'pause', by: 'candidate' }, T0 + 10 * MIN);
    expect(s).toMatchObject({ status: 'paused', pauseKind: 'candidate', pausedAt: T0 + 10 * MIN, usedMs: 10 * MIN, runningSince: null });
    expect(remainingMs(s, T0 + 5 * HOUR)).toBe(50 * MIN);
    s = ok(s, { type: 'resume', by: 'candidate' }, T0 + 30 * MIN);
    expect(s).toMatchObject({ status: 'active', pausedAt: null, pauseKind: null, runningSince: T0 + 30 * MIN });
    expect(remainingMs(s, T0 + 40 * MIN)).toBe(40 * MIN);
  });

  it('a candidate cannot resume a staff pause; staff can', () => {
    const paused = ok(initialState(HOUR, T0), { type: 'pause', by: 'staff', reason: 'fire alarm' }, T0 + MIN);
    const r = transition(paused, { type: 'resume', by: 'candidate' }, T0 + 2 * MIN);
    expect(refused(r)).toBe('PAUSED_BY_STAFF');
    expect(r.state).toBe(paused);
    expect(ok(paused, { type: 'resume', by: 'staff' }, T0 + 2 * MIN).status).toBe('active');
  });

  it('recovery does not lift a staff pause, but does revive an auto-pause', () => {
    const staffPaused = ok(initialState(HOUR, T0), { type: 'pause', by: 'staff' }, T0 + MIN);
    const r = transition(staffPaused, { type: 'recover-ok' }, T0 + 2 * MIN);
    expect(r.ok).toBe(true);
    expect(r.state.status).toBe('paused');
    expect(r.ok && r.effects).toContainEqual({ type: 'audit', action: 'session.recovered', detail: { revived: false } });

    const autoPaused = ok(initialState(HOUR, T0), { type: 'auto-pause', lastSeenAt: T0 + MIN }, T0 + 2 * MIN);
    const revived = transition(autoPaused, { type: 'recover-ok' }, T0 + 3 * MIN);
    expect(revived.state).toMatchObject({ status: 'active', runningSince: T0 + 3 * MIN, recoveryAttempts: 0 });
    expect(revived.ok && revived.effects).toContainEqual({ type: 'rotate-recovery-token' });
  });

  it('refuses to pause a paused session or resume an active one', () => {
    const s = initialState(HOUR, T0);
    expect(refused(transition(s, { type: 'resume', by: 'staff' }, T0))).toBe('SESSION_NOT_PAUSED');
    const p = ok(s, { type: 'pause', by: 'candidate' }, T0);
    expect(refused(transition(p, { type: 'pause', by: 'staff' }, T0))).toBe('SESSION_NOT_ACTIVE');
    expect(refused(transition(p, { type: 'heartbeat' }, T0))).toBe('SESSION_NOT_ACTIVE');
  });
});

describe('auto-pause', () => {
  it('charges time up to the last heartbeat, not up to when the silence was noticed', () => {
    const s = ok(initialState(HOUR, T0), { type: 'auto-pause', lastSeenAt: T0 + 10 * MIN }, T0 + 12 * MIN);
    expect(s).toMatchObject({ status: 'paused', pauseKind: 'auto', pausedAt: T0 + 12 * MIN, usedMs: 10 * MIN });
  });

  it('charges nothing for silence that began before the clock (re)started', () => {
    let s = ok(initialState(HOUR, T0), { type: 'pause', by: 'candidate' }, T0 + 5 * MIN);
    s = ok(s, { type: 'resume', by: 'candidate' }, T0 + 20 * MIN);
    s = ok(s, { type: 'auto-pause', lastSeenAt: T0 + 4 * MIN }, T0 + 21 * MIN);
    expect(s.usedMs).toBe(5 * MIN);
  });

  it('never charges past now, even for a lastSeenAt in the future', () => {
    const s = ok(initialState(HOUR, T0), { type: 'auto-pause', lastSeenAt: T0 + 20 * MIN }, T0 + 10 * MIN);
    expect(s.usedMs).toBe(10 * MIN);
  });
});

describe('time up', () => {
  it('settle() completes the session at the exact moment time ran out', () => {
    const s = initialState(HOUR, T0);
    expect(settle(s, T0 + HOUR - 1)).toBeNull();
    const atZero = settle(s, T0 + HOUR);
    expect(atZero?.state).toMatchObject({ status: 'completed', endReason: 'time_up', endedAt: T0 + HOUR, usedMs: HOUR, runningSince: null });
    expect(atZero?.effects).toContainEqual({ type: 'ended', reason: 'time_up' });
    // Settling late still dates the end at the time-up moment, not at the late `now`.
    expect(settle(s, T0 + 3 * HOUR)?.state.endedAt).toBe(T0 + HOUR);
  });

  it('settle() counts pauses and extensions when finding the time-up moment', () => {
    let s = initialState(HOUR, T0);
    s = ok(s, { type: 'pause', by: 'candidate' }, T0 + 10 * MIN);
    s = ok(s, { type: 'resume', by: 'candidate' }, T0 + 30 * MIN);
    s = ok(s, { type: 'extend', ms: 5 * MIN }, T0 + 40 * MIN);
    // 10 min before the pause + 55 min after the resume at :30 -> time up at 1:25.
    expect(settle(s, T0 + 85 * MIN - 1)).toBeNull();
    expect(settle(s, T0 + 2 * HOUR)?.state.endedAt).toBe(T0 + 85 * MIN);
  });

  it('settle() leaves paused, locked and finished sessions alone', () => {
    const paused = ok(initialState(MIN, T0), { type: 'pause', by: 'candidate' }, T0 + 1_000);
    expect(settle(paused, T0 + HOUR)).toBeNull();
    const locked = ok(initialState(MIN, T0), { type: 'lock', reason: 'staff' }, T0 + 1_000);
    expect(settle(locked, T0 + HOUR)).toBeNull();
    const done = ok(initialState(MIN, T0), { type: 'submit', by: 'candidate' }, T0 + 1_000);
    expect(settle(done, T0 + HOUR)).toBeNull();
  });

  it('refuses events on an unsettled session whose time is up', () => {
    const s = initialState(MIN, T0);
    expect(refused(transition(s, { type: 'heartbeat' }, T0 + MIN))).toBe('TIME_UP');
    expect(refused(transition(s, { type: 'submit', by: 'candidate' }, T0 + 2 * MIN))).toBe('TIME_UP');
  });
});

describe('locking and recovery', () => {
  it('locking stops the clock even while active; unlocking restarts it', () => {
    let s = ok(initialState(HOUR, T0), { type: 'lock', reason: 'second display' }, T0 + 10 * MIN);
    expect(s).toMatchObject({ status: 'active', isLocked: true, lockReason: 'second display', runningSince: null, usedMs: 10 * MIN });
    expect(remainingMs(s, T0 + 5 * HOUR)).toBe(50 * MIN);
    expect(refused(transition(s, { type: 'heartbeat' }, T0 + 11 * MIN))).toBe('SESSION_LOCKED');
    s = ok(s, { type: 'unlock' }, T0 + 20 * MIN);
    expect(s).toMatchObject({ isLocked: false, lockReason: null, runningSince: T0 + 20 * MIN });
  });

  it('locks after maxAttempts failed recoveries, then refuses recovery until staff unlock', () => {
    let s = initialState(HOUR, T0);
    s = ok(s, { type: 'recover-bad', maxAttempts: 3 }, T0 + 1);
    s = ok(s, { type: 'recover-bad', maxAttempts: 3 }, T0 + 2);
    expect(s).toMatchObject({ recoveryAttempts: 2, isLocked: false });
    s = ok(s, { type: 'recover-bad', maxAttempts: 3 }, T0 + 3);
    expect(s).toMatchObject({ recoveryAttempts: 3, isLocked: true, lockReason: 'too many failed recovery attempts' });
    expect(refused(transition(s, { type: 'recover-ok' }, T0 + 4))).toBe('SESSION_LOCKED');
    s = ok(s, { type: 'unlock' }, T0 + 5);
    expect(s.recoveryAttempts).toBe(0);
    expect(ok(s, { type: 'recover-ok' }, T0 + 6).status).toBe('active');
  });

  it('a locked paused session cannot be resumed, even by staff, until it is unlocked', () => {
    let s = ok(initialState(HOUR, T0), { type: 'pause', by: 'candidate' }, T0 + MIN);
    s = ok(s, { type: 'lock', reason: 'staff' }, T0 + 2 * MIN);
    expect(refused(transition(s, { type: 'resume', by: 'staff' }, T0 + 3 * MIN))).toBe('SESSION_LOCKED');
    s = ok(s, { type: 'unlock' }, T0 + 4 * MIN);
    expect(s.status).toBe('paused');
    expect(ok(s, { type: 'resume', by: 'staff' }, T0 + 5 * MIN)).toMatchObject({ status: 'active', runningSince: T0 + 5 * MIN });
  });

  it('a successful recovery resets the failed-attempt count', () => {
    let s = ok(initialState(HOUR, T0), { type: 'recover-bad', maxAttempts: 3 }, T0 + 1);
    s = ok(s, { type: 'recover-ok' }, T0 + 2);
    expect(s.recoveryAttempts).toBe(0);
  });

  it('staff can still end a locked session', () => {
    const locked = ok(initialState(HOUR, T0), { type: 'lock', reason: 'staff' }, T0 + MIN);
    expect(ok(locked, { type: 'submit', by: 'staff' }, T0 + 2 * MIN)).toMatchObject({ status: 'completed', endReason: 'force_submit' });
    expect(ok(locked, { type: 'terminate', by: 'staff' }, T0 + 2 * MIN)).toMatchObject({ status: 'terminated', endReason: 'terminated' });
  });
});

describe('ending', () => {
  it('submit, expire and terminate are final', () => {
    const submitted = ok(initialState(HOUR, T0), { type: 'submit', by: 'candidate' }, T0 + MIN);
    expect(submitted).toMatchObject({ status: 'completed', endReason: 'submitted', endedAt: T0 + MIN, usedMs: MIN, runningSince: null });
    const paused = ok(initialState(HOUR, T0), { type: 'pause', by: 'candidate' }, T0 + MIN);
    const expired = ok(paused, { type: 'expire' }, T0 + HOUR);
    expect(expired).toMatchObject({ status: 'expired', endReason: 'paused_ttl', pausedAt: null, pauseKind: null, usedMs: MIN });
    const terminated = ok(initialState(HOUR, T0), { type: 'terminate', by: 'staff' }, T0 + MIN);
    for (const s of [submitted, expired, terminated]) {
      expect(isFinal(s)).toBe(true);
      expect(refused(transition(s, { type: 'resume', by: 'staff' }, T0 + 2 * HOUR))).toBe('SESSION_FINISHED');
      expect(refused(transition(s, { type: 'extend', ms: MIN }, T0 + 2 * HOUR))).toBe('SESSION_FINISHED');
    }
  });

  it('only paused sessions expire', () => {
    expect(refused(transition(initialState(HOUR, T0), { type: 'expire' }, T0 + MIN))).toBe('SESSION_NOT_PAUSED');
  });
});

describe('extend', () => {
  it('adds time to an active or paused session', () => {
    const s = ok(initialState(HOUR, T0), { type: 'extend', ms: 10 * MIN }, T0 + 30 * MIN);
    expect(s.allowedMs).toBe(70 * MIN);
    expect(remainingMs(s, T0 + 30 * MIN)).toBe(40 * MIN);
  });

  it.each([0, -MIN, 1.5, Number.NaN])('refuses a bad extension of %s ms', (ms) => {
    expect(refused(transition(initialState(HOUR, T0), { type: 'extend', ms }, T0))).toBe('BAD_EVENT');
  });
});

describe('shouldExpire and isSilent', () => {
  it('expires a paused session once the TTL has passed since the pause', () => {
    const paused = ok(initialState(HOUR, T0), { type: 'pause', by: 'candidate' }, T0 + MIN);
    expect(shouldExpire(paused, T0 + MIN + 30 * MIN - 1, 30 * MIN)).toBe(false);
    expect(shouldExpire(paused, T0 + MIN + 30 * MIN, 30 * MIN)).toBe(true);
    expect(shouldExpire(initialState(HOUR, T0), T0 + 10 * HOUR, 30 * MIN)).toBe(false);
  });

  it('calls an active session silent once silenceMs passed since it was last seen', () => {
    const s = initialState(HOUR, T0);
    expect(isSilent(s, T0, T0 + 29_999, 30_000)).toBe(false);
    expect(isSilent(s, T0, T0 + 30_000, 30_000)).toBe(true);
    const paused = ok(s, { type: 'pause', by: 'candidate' }, T0);
    expect(isSilent(paused, T0, T0 + HOUR, 30_000)).toBe(false);
  });
});
