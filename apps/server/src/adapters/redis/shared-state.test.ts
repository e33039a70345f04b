import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { describeSharedState } from '../shared-state.suite.ts';
import { redisForTests } from './testing.ts';
import { Keys } from './connection.ts';
import { RedisLiveEvents } from './live-events.ts';
import type { SharedState } from '../../ports/shared-state.ts';
import { redisSharedState } from './shared-state.ts';

const redis = await redisForTests();
// Every instance made here shares one key prefix: they behave like the processes of one cluster.
const prefix = `invigil-test:${randomUUID()}:`;
if (redis.url) {
  describeSharedState('Redis (shared by every instance)', { make: (now) => redisSharedState(redis.url!, { prefix, now, log: pino({ level: 'silent' }) }), shared: true });
}

if (redis.url) {
  describe('Redis presence: beats batched in one call, and the last-seen sorted set', () => {
    /** A shared state under a key prefix of its own, and a plain connection to look at its keys. */
    const alone = async (fn: (shared: SharedState, raw: Redis, own: string) => Promise<void>) => {
      const own = `invigil-test:${randomUUID()}:`;
      const shared = await redisSharedState(redis.url!, { prefix: own, now: Date.now, log: pino({ level: 'silent' }) });
      const raw = new Redis(redis.url!);
      try {
        await fn(shared, raw, own);
      } finally {
        raw.disconnect();
        await shared.close();
      }
    };

    it("beats in one call get their own attempt's instruction hint, and only with a taken seq", () =>
      alone(async (shared) => {
        const ids = Array.from({ length: 30 }, (_, i) => `h${i}`);
        for (const id of ids.filter((_, i) => i % 3 === 0)) await shared.hints.mark(id);
        const want = await Promise.all(ids.map((id) => shared.hints.peek(id)));
        await shared.presence.advance('h1', 5, Date.now(), 0);
        const got = await Promise.all(ids.map((id) => shared.presence.advanceIfCurrent!(id, 1, Date.now(), 0, [])));
        expect(got).toEqual(ids.map((id, i) => (id === 'h1' ? { outcome: 'replayed', hint: null } : { outcome: 'taken', hint: want[i] })));
        expect(want.filter((w) => w !== null)).toHaveLength(10);
      }));

    it('beats in one call are each checked against their own stamps', () =>
      alone(async (shared, raw, own) => {
        const ids = Array.from({ length: 24 }, (_, i) => `c${i}`);
        for (const id of ids) await raw.set(`${own}stamp:s:${id}`, `stamp-of-${id}`);
        // Beat i carries i % 3 checks (its own session's stamp, repeated); beat 7's last one is stale.
        const checks = (i: number) => Array.from({ length: i % 3 }, (_, n) => ({ key: `s:${ids[i]}`, stamp: i === 7 && n === (i % 3) - 1 ? 'old' : `stamp-of-${ids[i]}` }));
        const got = await Promise.all(ids.map((id, i) => shared.presence.advanceIfCurrent!(id, 1, Date.now(), 0, checks(i))));
        expect(got.map((g) => g.outcome)).toEqual(ids.map((_, i) => (i === 7 ? 'stale' : 'taken')));
        expect(await shared.presence.get('c7')).toBeUndefined();
      }));

    it("sets an entry's expiry when it is made, then again only once 12 of its 48 hours have passed (not with every beat)", () =>
      alone(async (shared, raw, own) => {
        const T = Date.parse('2026-12-01T09:00:00Z');
        const key = `${own}presence:e1`;
        await shared.presence.advance('e1', 1, T, 0);
        expect(await raw.pttl(key)).toBeGreaterThan(48 * 3_600_000 - 60_000);
        await raw.pexpire(key, 1_000_000);
        await shared.presence.advance('e1', 2, T + 11 * 3_600_000, 0);
        await shared.presence.touch('e1', T + 11.5 * 3_600_000, 0);
        expect(await raw.pttl(key)).toBeLessThanOrEqual(1_000_000);
        await shared.presence.advance('e1', 3, T + 12 * 3_600_000, 0);
        expect(await raw.pttl(key)).toBeGreaterThan(48 * 3_600_000 - 60_000);
        // A beat stamped before the last refresh (another instance's clock behind) sets it again too.
        await raw.pexpire(key, 1_000_000);
        await shared.presence.advance('e1', 4, T + 1, 0);
        expect(await raw.pttl(key)).toBeGreaterThan(48 * 3_600_000 - 60_000);
        expect(await shared.presence.get('e1')).toEqual({ lastSeenAt: T + 12 * 3_600_000, seq: 4 });
      }));

    it('a drain raises the last-seen scores of what it drained in one step, and never lowers one', () =>
      alone(async (shared, raw, own) => {
        const T = Date.parse('2026-12-01T09:00:00Z');
        await shared.presence.advance('z1', 1, T + 100, 0);
        await shared.presence.advance('z2', 1, T + 50, 0);
        expect(await raw.zcard(`${own}presence-seen`)).toBe(0); // a beat writes only its entry
        await shared.presence.drainDirty();
        expect(await raw.zrange(`${own}presence-seen`, 0, -1, 'WITHSCORES')).toEqual(['z2', String(T + 50), 'z1', String(T + 100)]);
        await raw.zadd(`${own}presence-seen`, T + 500, 'z1');
        await shared.presence.advance('z1', 2, T + 200, 0);
        await shared.presence.drainDirty();
        expect(await raw.zscore(`${own}presence-seen`, 'z1')).toBe(String(T + 500));
      }));

    it('forgets an attempt not seen for the entry lifetime (48 h) before the latest beat, at the next drain', () =>
      alone(async (shared, raw, own) => {
        const T = Date.parse('2026-12-01T09:00:00Z');
        await shared.presence.advance('old', 1, T, 0);
        await shared.presence.advance('recent', 1, T + 47 * 3_600_000, 0);
        await shared.presence.drainDirty();
        expect(await raw.zrange(`${own}presence-seen`, 0, -1)).toEqual(['old', 'recent']);
        await shared.presence.advance('new', 1, T + 48 * 3_600_000 + 1, 0);
        await shared.presence.drainDirty();
        expect(await raw.zrange(`${own}presence-seen`, 0, -1)).toEqual(['recent', 'new']);
      }));
  });

  describe('Redis live events: a new subscriber on an empty stream', () => {
    it('gets an event published right after it subscribed, even when its blocking read reaches Redis after the event', async () => {
      const cmd = new Redis(redis.url!);
      const reader = new Redis(redis.url!);
      // The reader's XREAD arrives late (a busy machine): the XADD below gets to Redis first.
      const slow = new Proxy(reader, {
        get(target, p) {
          if (p === 'xread') return async (...a: unknown[]) => (await new Promise((r) => setTimeout(r, 100)), (target.xread as (...x: unknown[]) => Promise<unknown>)(...a));
          const v = Reflect.get(target, p) as unknown;
          return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
        },
      });
      const events = new RedisLiveEvents(cmd, slow, new Keys(`invigil-test:${randomUUID()}:`), pino({ level: 'silent' }));
      try {
        const got: string[] = [];
        await events.subscribe((e) => got.push(e.type === 'alert' ? e.data.id : e.type));
        await events.publish({ type: 'alert', at: new Date().toISOString(), attemptId: 'a', centerId: 'c', roomId: 'r', data: { id: 'al-1', kind: 'focus_lost', severity: 'warning', message: 'm' } });
        await vi.waitFor(() => expect(got).toEqual(['al-1']), { timeout: 3_000, interval: 10 });
      } finally {
        await events.close();
        cmd.disconnect();
      }
    });
  });
}
