import type { LiveEvent } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LimiterPolicy, Reservation } from '../ports/limiter.ts';
import type { SharedState } from '../ports/shared-state.ts';

export interface SharedStateFactory {
  /** A fresh instance; with `shared`, instances made by one factory see the same state (other processes). */
  make(now: () => number): Promise<SharedState>;
  /** True for adapters whose instances share state (Redis), false for one process's memory. */
  shared: boolean;
}

const T = Date.parse('2026-12-01T09:00:00Z');
const event = (n: number): LiveEvent => ({ type: 'alert', at: new Date(T + n).toISOString(), attemptId: `a${n}`, centerId: 'c', roomId: 'r', data: { id: `al-${n}`, kind: 'focus_lost', severity: 'warning', message: `m${n}` } });

/**
 * The behaviour every shared-state adapter owes the services (memory here; Redis adds its factory
 * and, being shared, the cross-instance cases). Time is the caller's clock.
 */
export function describeSharedState(adapter: string, f: SharedStateFactory): void {
  describe(`shared state on ${adapter}`, () => {
    /** Cases about several instances sharing state: they exist only for adapters that share it. */
    const sharedIt: (name: string, fn: () => Promise<void>) => void = f.shared ? (name, fn) => it(name, fn) : () => undefined;
    const open: SharedState[] = [];
    let t = T;
    const now = () => t;
    const make = async () => {
      const s = await f.make(now);
      open.push(s);
      return s;
    };
    afterEach(async () => {
      while (open.length) await open.pop()!.close();
      t = T;
    });

    describe('presence', () => {
      it('takes a seq only above every seq seen and above the durable floor', async () => {
        const { presence } = await make();
        const id = randomUUID();
        expect(await presence.advance(id, 5, T, 4)).toBe(true);
        expect(await presence.advance(id, 5, T + 1, 4)).toBe(false);
        expect(await presence.advance(id, 3, T + 1, 0)).toBe(false);
        expect(await presence.advance(id, 6, T + 2, 0)).toBe(true);
        // A floor from the database above what presence holds (another process flushed it) wins.
        expect(await presence.advance(id, 8, T + 3, 9)).toBe(false);
        expect(await presence.advance(id, 10, T + 4, 9)).toBe(true);
        expect(await presence.get(id)).toEqual({ lastSeenAt: T + 4, seq: 10 });
      });

      it('for a new attempt, the floor alone decides', async () => {
        const { presence } = await make();
        const id = randomUUID();
        expect(await presence.advance(id, 7, T, 7)).toBe(false);
        expect(await presence.advance(id, 8, T, 7)).toBe(true);
      });

      it('is atomic under concurrency: of many beats with one seq, exactly one is taken', async () => {
        const { presence } = await make();
        const id = randomUUID();
        const results = await Promise.all(Array.from({ length: 50 }, () => presence.advance(id, 1, T, 0)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('many beats at once, of many attempts: each is judged as if alone, in the order they were made', async () => {
        const { presence } = await make();
        const ids = Array.from({ length: 20 }, () => randomUUID());
        // Per attempt seqs 1..10, then 5 again (a replay) and 11, all in flight together.
        const beats = ids.flatMap((id) => [...Array.from({ length: 10 }, (_, i) => ({ id, seq: i + 1 })), { id, seq: 5 }, { id, seq: 11 }]);
        const taken = await Promise.all(beats.map((b, i) => presence.advance(b.id, b.seq, T + i, 0)));
        expect(taken).toEqual(beats.map((_, i) => i % 12 !== 10)); // only the replayed 5 is refused
        for (const id of ids) expect((await presence.get(id))!.seq).toBe(11);
        const drained = new Map((await presence.drainDirty()).map((d) => [d.attemptId, d]));
        for (const id of ids) expect(drained.get(id)).toMatchObject({ seq: 11, beats: 11 });
      });

      sharedIt('beats in flight together on two instances: each seq is taken once, by one of them', async () => {
        const [p1, p2] = [(await make()).presence, (await make()).presence];
        const ids = Array.from({ length: 10 }, () => randomUUID());
        const tries = ids.flatMap((id) => Array.from({ length: 20 }, (_, i) => ({ id, seq: (i % 10) + 1, on: i % 2 === 0 ? p1 : p2 })));
        const taken = await Promise.all(tries.map((b) => b.on.advance(b.id, b.seq, T, 0)));
        for (const id of ids) {
          const mine = tries.map((b, i) => ({ ...b, ok: taken[i]! })).filter((b) => b.id === id && b.ok);
          expect(new Set(mine.map((b) => b.seq)).size).toBe(mine.length); // no seq taken twice
          expect((await p1.get(id))!.seq).toBe(Math.max(...mine.map((b) => b.seq)));
        }
      });

      it('drains what changed, with the number of beats, once', async () => {
        const { presence } = await make();
        const a = randomUUID();
        const b = randomUUID();
        await presence.advance(a, 1, T + 10, 0);
        await presence.advance(a, 2, T + 20, 0);
        await presence.touch(b, T + 30, 4);
        // A shared adapter's instances see every attempt of the namespace: look only at ours.
        const ours = <T extends { attemptId: string }>(list: T[]) => list.filter((d) => d.attemptId === a || d.attemptId === b);
        const drained = ours(await presence.drainDirty());
        expect(drained.sort((x, y) => x.lastSeenAt - y.lastSeenAt)).toEqual([
          { attemptId: a, lastSeenAt: T + 20, seq: 2, beats: 2 },
          { attemptId: b, lastSeenAt: T + 30, seq: 4, beats: 0 },
        ]);
        expect(ours(await presence.drainDirty())).toEqual([]);
        expect((await presence.getMany([a, b, 'unknown'])).size).toBe(2);
        await presence.forget(a);
        expect(await presence.get(a)).toBeUndefined();
      });

      sharedIt('each instance drains the beats it took, with the seq the attempt has now', async () => {
        const [p1, p2] = [(await make()).presence, (await make()).presence];
        const id = randomUUID();
        const mine = (list: { attemptId: string }[]) => list.filter((d) => d.attemptId === id);
        expect(await p1.advance(id, 1, T + 10, 0)).toBe(true);
        expect(await p1.advance(id, 2, T + 20, 0)).toBe(true);
        expect(await p2.advance(id, 3, T + 30, 0)).toBe(true);
        expect(mine(await p1.drainDirty())).toEqual([{ attemptId: id, lastSeenAt: T + 30, seq: 3, beats: 2 }]);
        expect(mine(await p2.drainDirty())).toEqual([{ attemptId: id, lastSeenAt: T + 30, seq: 3, beats: 1 }]);
        expect(mine(await p1.drainDirty())).toEqual([]);
        expect(mine(await p2.drainDirty())).toEqual([]);
      });

      it('after a forget (a transfer: the new device counts from 1), a drain never hands back the seq left behind', async () => {
        const p1 = (await make()).presence;
        const p2 = f.shared ? (await make()).presence : p1;
        const id = randomUUID();
        expect(await p1.advance(id, 500, T + 10, 0)).toBe(true);
        await p2.forget(id);
        await p2.touch(id, T + 20, 0);
        const flushed = [...(await p1.drainDirty()), ...(p2 === p1 ? [] : await p2.drainDirty())].filter((d) => d.attemptId === id);
        expect(flushed.length).toBeGreaterThan(0);
        for (const d of flushed) expect(d.seq).toBe(0);
        expect(await p1.advance(id, 1, T + 30, 0)).toBe(true);
      });

      sharedIt('one instance refuses a seq another took', async () => {
        const [p1, p2] = [(await make()).presence, (await make()).presence];
        const id = randomUUID();
        expect(await p1.advance(id, 3, T, 0)).toBe(true);
        expect(await p2.advance(id, 3, T, 0)).toBe(false);
        expect(await p2.advance(id, 4, T, 0)).toBe(true);
      });
    });

    describe('attempt limiters', () => {
      const POLICY: LimiterPolicy = { pair: { free: 3, delayMs: 1_000, maxDelayMs: 8_000, forgetAfterMs: 60_000 }, account: { limit: 10, windowMs: 600_000 }, address: { limit: 20, windowMs: 600_000 } };
      const limiter = async (policy = POLICY) => (await make()).limiters.limiter(`suite-${randomUUID()}`, policy);
      const granted = (r: Reservation) => {
        if (!r.ok) throw new Error(`refused by ${r.by} for ${r.retryAfterMs} ms`);
        return r;
      };

      it('let a pair make `free` attempts, then make it wait twice as long each time, up to the maximum', async () => {
        const l = await limiter();
        for (let i = 0; i < 3; i++) granted(await l.reserve('acct', '10.0.0.1'));
        const waits: number[] = [];
        for (let i = 0; i < 5; i++) {
          const r = await l.reserve('acct', '10.0.0.1');
          expect(r).toMatchObject({ ok: false, by: 'pair' });
          if (r.ok) return;
          waits.push(r.retryAfterMs);
          t += r.retryAfterMs - 1;
          expect(await l.reserve('acct', '10.0.0.1')).toMatchObject({ ok: false, retryAfterMs: 1 });
          t += 1;
          granted(await l.reserve('acct', '10.0.0.1'));
        }
        expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
      });

      it('count reservations in flight: of many at once, only `free` are granted', async () => {
        const l = await limiter();
        const all = await Promise.all(Array.from({ length: 200 }, () => l.reserve('acct', '10.0.0.1')));
        expect(all.filter((r) => r.ok)).toHaveLength(3);
        const refused = all.find((r) => !r.ok);
        expect(refused).toMatchObject({ ok: false, by: 'pair', retryAfterMs: 1_000 });
      });

      it('keep pairs apart: a stranger guessing from another address does not slow the owner down', async () => {
        const l = await limiter();
        for (let i = 0; i < 3; i++) granted(await l.reserve('acct', '6.6.6.6'));
        expect((await l.reserve('acct', '6.6.6.6')).ok).toBe(false);
        granted(await l.reserve('acct', '10.0.0.1'));
        granted(await l.reserve('other', '6.6.6.6'));
      });

      it('give a success back: released reservations count on no window, and clear their pair', async () => {
        const l = await limiter();
        for (let i = 0; i < 50; i++) await granted(await l.reserve('acct', `10.0.${i}.1`)).release();
        for (let i = 0; i < 2; i++) granted(await l.reserve('acct', '10.0.0.1'));
        // Released after two failures: the pair starts over (three free again).
        await granted(await l.reserve('acct', '10.0.0.1')).release();
        for (let i = 0; i < 3; i++) granted(await l.reserve('acct', '10.0.0.1'));
        expect((await l.reserve('acct', '10.0.0.1')).ok).toBe(false);
      });

      it('hold a ceiling per account over every address, until its window ends', async () => {
        const l = await limiter();
        for (let i = 0; i < 10; i++) granted(await l.reserve('acct', `10.1.${i}.1`));
        const r = await l.reserve('acct', '10.2.0.1');
        expect(r).toMatchObject({ ok: false, by: 'account' });
        expect(!r.ok && r.retryAfterMs).toBe(600_000);
        granted(await l.reserve('someone-else', '10.2.0.1'));
        t += 600_000;
        granted(await l.reserve('acct', '10.2.0.1'));
      });

      it('hold a limit per address over every account', async () => {
        const l = await limiter();
        for (let i = 0; i < 20; i++) granted(await l.reserve(`acct-${i}`, '10.0.0.9'));
        expect(await l.reserve('acct-new', '10.0.0.9')).toMatchObject({ ok: false, by: 'address' });
        granted(await l.reserve('acct-new', '10.0.0.10'));
      });

      it('forget a pair after a quiet while, and let staff clear an account', async () => {
        const l = await limiter();
        for (let i = 0; i < 3; i++) granted(await l.reserve('acct', '10.0.0.1'));
        expect((await l.reserve('acct', '10.0.0.1')).ok).toBe(false);
        t += 60_000;
        for (let i = 0; i < 3; i++) granted(await l.reserve('acct', '10.0.0.1'));
        for (let i = 0; i < 3; i++) granted(await l.reserve('acct', '10.0.0.2'));
        expect((await l.reserve('acct', '10.0.0.1')).ok).toBe(false);
        expect((await l.reserve('acct', '10.0.0.2')).ok).toBe(false);
        await l.clear('acct');
        granted(await l.reserve('acct', '10.0.0.1'));
        granted(await l.reserve('acct', '10.0.0.2'));
        // The account window was cleared too: ten more fit.
        for (let i = 0; i < 8; i++) granted(await l.reserve('acct', `10.3.${i}.1`));
      });

      it('keep limiters of different names apart', async () => {
        const { limiters } = await make();
        const a = limiters.limiter(`suite-${randomUUID()}`, POLICY);
        const b = limiters.limiter(`suite-${randomUUID()}`, POLICY);
        for (let i = 0; i < 3; i++) granted(await a.reserve('acct', '10.0.0.1'));
        granted(await b.reserve('acct', '10.0.0.1'));
      });

      sharedIt('are shared by every instance', async () => {
        const name = `suite-${randomUUID()}`;
        const [a, b] = [(await make()).limiters.limiter(name, POLICY), (await make()).limiters.limiter(name, POLICY)];
        const all = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).reserve('acct', '10.0.0.1')));
        expect(all.filter((r) => r.ok)).toHaveLength(3);
        await a.clear('acct');
        granted(await b.reserve('acct', '10.0.0.1'));
      });
    });

    describe('live events', () => {
      it('reach every subscriber in publishing order, with increasing ids; unsubscribing stops them', async () => {
        const { events } = await make();
        const got: [string, string][] = [];
        const off = await events.subscribe((e, id) => got.push([e.type === 'alert' ? e.data.id : '', id]));
        for (let n = 1; n <= 3; n++) await events.publish(event(n));
        await waitFor(() => got.length === 3);
        expect(got.map(([k]) => k)).toEqual(['al-1', 'al-2', 'al-3']);
        expect(new Set(got.map(([, id]) => id)).size).toBe(3);
        off();
        await events.publish(event(4));
        await new Promise((r) => setTimeout(r, 50));
        expect(got).toHaveLength(3);
      });

      it('replay what a reconnecting subscriber missed after the last id it saw', async () => {
        const { events } = await make();
        const ids: string[] = [];
        const off = await events.subscribe((_e, id) => ids.push(id));
        for (let n = 1; n <= 5; n++) await events.publish(event(n));
        await waitFor(() => ids.length === 5);
        off();
        const replayed: string[] = [];
        const off2 = await events.subscribe((e) => replayed.push(e.type === 'alert' ? e.data.id : ''), { afterId: ids[1] });
        await waitFor(() => replayed.length === 3);
        expect(replayed).toEqual(['al-3', 'al-4', 'al-5']);
        off2();
        // An id this bus never gave out replays nothing (and breaks nothing).
        const none: string[] = [];
        const off3 = await events.subscribe((e) => none.push(e.type), { afterId: 'not-an-id' });
        await events.publish(event(6));
        await waitFor(() => none.length === 1);
        expect(none).toEqual(['alert']);
        off3();
      });

      sharedIt('published on one instance reach subscribers of another', async () => {
        const [a, b] = [await make(), await make()];
        const got: string[] = [];
        const off = await b.events.subscribe((e) => got.push(e.type));
        await a.events.publish(event(1));
        await waitFor(() => got.length === 1);
        off();
      });
    });

    describe('throttle', () => {
      it('says yes once per key and window', async () => {
        const { throttle } = await make();
        const k = randomUUID();
        expect(await throttle.take(k, 30_000, T)).toBe(true);
        expect(await throttle.take(k, 30_000, T + 29_999)).toBe(false);
        expect(await throttle.take(`${k}-other`, 30_000, T)).toBe(true);
        expect(await throttle.take(k, 30_000, T + 30_000)).toBe(true);
      });
    });

    describe('invalidations', () => {
      it('reach every subscriber of their topic, and only those', async () => {
        const { invalidations } = await make();
        const got: string[] = [];
        const off = invalidations.subscribe('exam', (id) => got.push(`exam:${id}`));
        const off2 = invalidations.subscribe('login', (id) => got.push(`login:${id}`));
        await new Promise((r) => setTimeout(r, 50)); // (a pub/sub subscription is established)
        await invalidations.publish('exam', 'e1');
        await invalidations.publish('login', 'u1');
        await waitFor(() => got.length === 2);
        expect(got.sort()).toEqual(['exam:e1', 'login:u1']);
        off();
        off2();
      });

      sharedIt('published on one instance reach another', async () => {
        const [a, b] = [await make(), await make()];
        const got: string[] = [];
        b.invalidations.subscribe('exam', (id) => got.push(id));
        await new Promise((r) => setTimeout(r, 50)); // the subscription is established
        await a.invalidations.publish('exam', 'e2');
        await waitFor(() => got.includes('e2'));
      });
    });

    describe('instruction hints', () => {
      it('clear only if nothing was marked after the token was read', async () => {
        const { hints } = await make();
        const id = randomUUID();
        expect(await hints.peek(id)).toBeNull();
        await hints.mark(id);
        const token = (await hints.peek(id))!;
        expect(token).not.toBeNull();
        await hints.mark(id); // a new instruction arrived meanwhile
        await hints.clear(id, token);
        expect(await hints.peek(id)).not.toBeNull();
        await hints.clear(id, (await hints.peek(id))!);
        expect(await hints.peek(id)).toBeNull();
      });
    });

    describe('login activity', () => {
      it('keeps the latest activity until drained', async () => {
        const { activity } = await make();
        const id = randomUUID();
        await activity.touch(id, T + 20);
        await activity.touch(id, T + 10);
        expect((await activity.lastSeen([id])).get(id)).toBe(T + 20);
        const ours = (list: { id: string }[]) => list.filter((d) => d.id === id);
        expect(ours(await activity.drain())).toEqual([{ id, lastActivity: T + 20 }]);
        expect(ours(await activity.drain())).toEqual([]);
      });

      it('touchIfAfter answers what was seen and records the request only when told it keeps the login alive', async () => {
        const { activity } = await make();
        const id = randomUUID();
        const ours = (list: { id: string }[]) => list.filter((d) => d.id === id);
        expect(await activity.touchIfAfter(id, T + 10, T)).toBeUndefined(); // nothing seen: nothing later than T
        expect(ours(await activity.drain())).toEqual([]);
        expect(await activity.touchIfAfter(id, T + 20, null)).toBeUndefined();
        expect(await activity.touchIfAfter(id, T + 30, T + 20)).toBe(T + 20); // not later than T + 20: not recorded
        expect((await activity.lastSeen([id])).get(id)).toBe(T + 20);
        expect(await activity.touchIfAfter(id, T + 40, T + 19)).toBe(T + 20);
        expect(await activity.touchIfAfter(id, T + 35, null)).toBe(T + 40); // never backwards
        expect(ours(await activity.drain())).toEqual([{ id, lastActivity: T + 40 }]);
      });
    });

    it('answers ping', async () => {
      expect(await (await make()).ping()).toBe(true);
    });
  });
}

async function waitFor(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
