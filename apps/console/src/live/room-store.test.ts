import type { LiveSession } from '@invigil/contract';
import { describe, expect, it } from 'vitest';
import { RoomStore } from './room-store.ts';
import { tileStatus } from './status.ts';
import { ago, clock, deviceKind } from '../format.ts';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

function row(over: Partial<LiveSession> = {}): LiveSession {
  return {
    attemptId: 'a1',
    sessionId: 's1',
    examId: 'e1',
    candidate: { id: 'C1001', name: 'Amara Okafor' },
    centerId: 'c1',
    roomId: 'r1',
    seat: 'A1',
    status: 'active',
    isLocked: false,
    lockReason: null,
    pauseKind: null,
    online: true,
    offlineAfterMs: 30_000,
    lastHeartbeatAt: new Date(T0).toISOString(),
    secondsSinceHeartbeat: 0,
    timeRemaining: 3600,
    incidentSeconds: 0,
    device: { fingerprint: 'fp', browser: 'InvigilKiosk/0.1 Electron/39', ip: '10.0.0.5', bound: true },
    openAlerts: 0,
    transferPending: false,
    startedAt: new Date(T0 - 60_000).toISOString(),
    ...over,
  };
}

/** A store with one tile, as of T0 on the server's clock. */
function storeWith(s: LiveSession): RoomStore {
  const store = new RoomStore();
  store.heartbeatIntervalMs = 10_000;
  store.tiles.set(s.attemptId, { s, asOf: T0, seenAt: s.lastHeartbeatAt ? Date.parse(s.lastHeartbeatAt) : null, version: 1, changedAt: 0 });
  return store;
}

describe('tile status', () => {
  it('folds lock, connection and pause kind into what a proctor needs to see', () => {
    expect(tileStatus(row(), 2)).toBe('active');
    expect(tileStatus(row({ isLocked: true }), 2)).toBe('locked');
    expect(tileStatus(row({ status: 'paused', pauseKind: 'auto' }), 40)).toBe('offline');
    expect(tileStatus(row({ status: 'paused', pauseKind: 'staff' }), 2)).toBe('paused');
    expect(tileStatus(row({ online: false }), 2)).toBe('offline');
    expect(tileStatus(row(), 31)).toBe('offline'); // silent past the auto-pause threshold
    expect(tileStatus(row(), 29)).toBe('active');
    // The threshold is the session's exam's, not a fixed 3 × interval.
    expect(tileStatus(row({ offlineAfterMs: 10_000 }), 11)).toBe('offline');
    expect(tileStatus(row({ offlineAfterMs: 120_000 }), 100)).toBe('active');
    expect(tileStatus(row({ status: 'completed' }), null)).toBe('submitted');
    expect(tileStatus(row({ status: 'terminated', isLocked: true }), null)).toBe('ended');
  });
});

describe('the room store', () => {
  it('ticks time remaining and heartbeat age locally, and stops the clock while locked or paused', () => {
    const store = storeWith(row());
    const t = store.tiles.get('a1')!;
    expect(store.remaining(t, T0 + 90_500)).toBe(3600 - 90);
    expect(store.secondsSince(t, T0 + 12_300)).toBe(12);
    const locked = { ...t, s: { ...t.s, isLocked: true } };
    expect(store.remaining(locked, T0 + 90_000)).toBe(3600);
  });

  it('patches a tile in place from a session.changed event', () => {
    const store = storeWith(row());
    store.apply({ type: 'session.changed', at: new Date(T0 + 5_000).toISOString(), attemptId: 'a1', data: { status: 'active', isLocked: true, timeRemaining: 3595, pauseKind: null, action: 'lock' } });
    const t = store.tiles.get('a1')!;
    expect(t.s.isLocked).toBe(true);
    expect(t.version).toBe(2);
    expect(store.statusOf(t, T0 + 6_000)).toBe('locked');
    expect(store.remaining(t, T0 + 65_000)).toBe(3595); // clock stopped by the lock
    store.apply({ type: 'session.changed', at: new Date(T0 + 9_000).toISOString(), attemptId: 'a1', data: { status: 'paused', isLocked: false, timeRemaining: 3595, pauseKind: 'staff', action: 'transfer' } });
    const after = store.tiles.get('a1')!;
    expect(after.s).toMatchObject({ status: 'paused', isLocked: false, lockReason: null, transferPending: true });
  });

  it('drops an acknowledged alert and ignores events it does not know', () => {
    const store = storeWith(row());
    store.alerts = [
      { id: 'x', at: new Date(T0).toISOString(), attemptId: 'a1', candidateId: 'C1001', examId: 'e1', centerId: 'c1', roomId: 'r1', kind: 'device_mismatch', severity: 'critical', message: 'm', detail: null, acknowledgedAt: null, acknowledgedBy: null, count: 1, lastSeenAt: new Date(T0).toISOString() },
    ];
    store.apply({ type: 'alert.acknowledged', at: new Date(T0).toISOString(), attemptId: 'a1', data: { id: 'x' } });
    expect(store.alerts).toEqual([]);
    store.apply({ type: 'something.new', at: new Date(T0).toISOString() });
    expect(store.tiles.get('a1')!.version).toBe(1);
    store.stop();
  });

  it('keeps the candidate name when an action answer carries none', () => {
    const store = storeWith(row());
    store.put(row({ candidate: { id: 'C1001', name: '' }, isLocked: true }));
    expect(store.tiles.get('a1')!.s.candidate.name).toBe('Amara Okafor');
    store.stop();
  });
});

describe('formatting', () => {
  it('clocks, ages and device kinds', () => {
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(125)).toBe('2:05');
    expect(clock(-3)).toBe('0:00');
    expect(ago(5)).toBe('5 s');
    expect(ago(75)).toBe('1 min 15 s');
    expect(ago(null)).toBe('never');
    expect(deviceKind('Mozilla/5.0 InvigilKiosk/0.1 Electron/39.0.0')).toBe('Kiosk');
    expect(deviceKind('Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36')).toBe('Chrome');
  });
});
