import type { Redis } from 'ioredis';
import type { HeldAdvance, Presence, PresenceEntry } from '../../ports/presence.ts';
import type { CopyCheck } from '../../ports/stamps.ts';
import type { PresenceFlush } from '../../ports/types.ts';
import { script, type Keys, type Script } from './connection.ts';
import { hintsKey } from './instruction-hints.ts';
import { stampKey } from './stamps.ts';

/** An attempt's entry lives this long after its last beat (an abandoned one cleans itself up). */
const ENTRY_TTL_MS = 48 * 3_600_000;

/** The advance script's command name (the connection sends it outside its auto-pipeline). */
export const PRESENCE_ADVANCE = 'invigilPresenceAdvance';

/** At most this many beats go in one script call (Redis runs a script alone: keep each short). */
const MAX_BATCH = 128;

// Beats of many attempts in one call, each as if it ran alone, in order.
// KEYS: last-seen sorted set, dirty set, hints hash.
// ARGV: the entry key prefix, the stamp key prefix, ttl, and the beats as one JSON array, each
// [attemptId, seq (-1 for a touch), at, floor, 1 when the hint is wanted, then for each copy the
// caller decided on: its stamp's key and the stamp it was read under (none for a plain advance)].
// Four arguments whatever the batch holds (each argument costs both sides; cjson is C). Entry and
// stamp keys are made from their prefixes here, as DRAIN does: one Redis, not a Redis Cluster.
// Answers per beat a code and a hint: 2 a copy is stale (nothing happens), 0 the seq is not above
// the last one (nothing happens), 1 taken (with the attempt's instruction hint when wanted, or false).
// The seq check and the write are one script: atomic against every other process.
const ADVANCE = `
local out = {}
local entries, stamps, ttl = ARGV[1], ARGV[2], ARGV[3]
for _, f in ipairs(cjson.decode(ARGV[4])) do
  local id = f[1]
  local seq = f[2]
  local entry = entries .. id
  local code = 1
  local hint = false
  local n = (#f - 5) / 2
  if n > 0 then
    local ks = {}
    for i = 1, n do ks[i] = stamps .. f[4 + 2 * i] end
    local now = redis.call('MGET', unpack(ks))
    for i = 1, n do
      if now[i] ~= f[5 + 2 * i] then code = 2 break end
    end
  end
  if code == 1 then
    local held = redis.call('HMGET', entry, 's', 't', 'b')
    local cur = tonumber(held[1] or '0')
    local floor = f[4]
    if floor > cur then cur = floor end
    if seq >= 0 and seq <= cur then
      code = 0
    else
      local seen = tonumber(held[2] or '0')
      local at = f[3]
      if at > seen then seen = at end
      if seq >= 0 then
        redis.call('HSET', entry, 's', seq, 't', seen, 'b', tonumber(held[3] or '0') + 1)
      else
        redis.call('HSET', entry, 's', cur, 't', seen)
      end
      redis.call('PEXPIRE', entry, ttl)
      redis.call('ZADD', KEYS[1], seen, id)
      redis.call('SADD', KEYS[2], id)
      if f[5] == 1 then hint = redis.call('HGET', KEYS[3], id) end
    end
  end
  out[#out + 1] = code
  out[#out + 1] = hint
end
return out`;

interface Beat {
  attemptId: string;
  seq: number;
  at: number;
  floorSeq: number;
  checks: readonly CopyCheck[];
  wantHint: boolean;
  done: (code: number, hint: string | null) => void;
  failed: (err: unknown) => void;
}

// KEYS: dirty set, last-seen sorted set; ARGV: entry key prefix, entry ttl. Answers [attemptId, seen,
// seq, beats, ...] and zeroes the beats. Attempts not seen for the entry's lifetime before the latest
// beat leave the sorted set (their entries expired by themselves: nothing else would remove them).
const DRAIN = `
local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if newest[2] then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. string.format('%d', tonumber(newest[2]) - tonumber(ARGV[2]))) end
local ids = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
local out = {}
for _, id in ipairs(ids) do
  local k = ARGV[1] .. id
  local v = redis.call('HMGET', k, 't', 's', 'b')
  if v[1] then
    redis.call('HSET', k, 'b', 0)
    table.insert(out, id)
    table.insert(out, v[1])
    table.insert(out, v[2] or '0')
    table.insert(out, v[3] or '0')
  end
end
return out`;

/**
 * Presence shared by every process: the seq compare-and-set is a Lua script, one call for the
 * beats that arrive together (see `submit`); the last-seen times also sit in a sorted set (the
 * sweeper can range-query what went silent). The durable seq floor stays in the database (flushed
 * in batches), so a Redis that lost its data (restart, failover, FLUSHDB) never lets a replayed seq
 * through: the floor comes back with every call.
 */
export class RedisPresence implements Presence {
  private readonly advanceScript: Script<(number | string | null)[]>;
  private readonly drainScript: Script<string[]>;
  private readonly seenKey: string;
  private readonly dirtyKey: string;
  private readonly hintsKey: string;
  private readonly entryPrefix: string;
  private readonly stampPrefix: string;
  /** Beats waiting for the call in flight to come back; they then go together in one call. */
  private queue: Beat[] = [];
  private inFlight = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    this.advanceScript = script(redis, PRESENCE_ADVANCE, ADVANCE);
    this.drainScript = script(redis, 'invigilPresenceDrain', DRAIN);
    this.seenKey = keys.k('presence-seen');
    this.dirtyKey = keys.k('presence-dirty');
    this.hintsKey = hintsKey(keys);
    this.entryPrefix = this.entry('');
    this.stampPrefix = stampKey(keys, '');
  }

  private entry(id: string): string {
    return this.keys.k('presence', id);
  }

  /**
   * One call in flight per process: a beat goes at once when none is, else with every beat that
   * arrived meanwhile in the next one (group commit). Alone, a beat waits for nobody; under load a
   * call carries many beats, and Redis and this process pay the cost of a call once for all of them.
   */
  private submit(attemptId: string, seq: number, at: number, floorSeq: number, checks: readonly CopyCheck[], wantHint: boolean): Promise<[number, string | null]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ attemptId, seq, at, floorSeq, checks, wantHint, done: (code, hint) => resolve([code, hint]), failed: reject });
      if (!this.inFlight) this.send();
    });
  }

  private send(): void {
    const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
    this.queue = batch === this.queue ? [] : this.queue.slice(MAX_BATCH);
    this.inFlight = true;
    const beats: (string | number)[][] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const b = batch[i]!;
      const beat: (string | number)[] = [b.attemptId, b.seq, b.at, b.floorSeq, b.wantHint ? 1 : 0];
      for (const c of b.checks) beat.push(c.key, c.stamp);
      beats[i] = beat;
    }
    const argv = [this.entryPrefix, this.stampPrefix, ENTRY_TTL_MS, JSON.stringify(beats)];
    this.advanceScript(3, this.seenKey, this.dirtyKey, this.hintsKey, ...argv).then(
      (out) => {
        this.next();
        for (let i = 0; i < batch.length; i++) batch[i]!.done(Number(out[2 * i]), (out[2 * i + 1] as string | null | undefined) ?? null);
      },
      (err: unknown) => {
        this.next();
        for (const b of batch) b.failed(err);
      },
    );
  }

  private next(): void {
    this.inFlight = false;
    if (this.queue.length) this.send();
  }

  async advance(attemptId: string, seq: number, at: number, floorSeq: number): Promise<boolean> {
    return (await this.submit(attemptId, seq, at, floorSeq, [], false))[0] === 1;
  }

  async advanceIfCurrent(attemptId: string, seq: number, at: number, floorSeq: number, checks: readonly CopyCheck[]): Promise<HeldAdvance> {
    const [code, hint] = await this.submit(attemptId, seq, at, floorSeq, checks, true);
    return { outcome: code === 1 ? 'taken' : code === 2 ? 'stale' : 'replayed', hint };
  }

  async touch(attemptId: string, at: number, floorSeq: number): Promise<void> {
    await this.submit(attemptId, -1, at, floorSeq, [], false);
  }

  async get(attemptId: string): Promise<PresenceEntry | undefined> {
    const [t, s] = await this.redis.hmget(this.entry(attemptId), 't', 's');
    return t === null ? undefined : { lastSeenAt: Number(t), seq: Number(s ?? 0) };
  }

  async getMany(attemptIds: readonly string[]): Promise<Map<string, PresenceEntry>> {
    const out = new Map<string, PresenceEntry>();
    for (let i = 0; i < attemptIds.length; i += 1_000) {
      const chunk = attemptIds.slice(i, i + 1_000);
      const p = this.redis.pipeline();
      for (const id of chunk) p.hmget(this.entry(id), 't', 's');
      const res = (await p.exec()) ?? [];
      res.forEach(([err, v], j) => {
        if (err) throw err;
        const [t, s] = v as (string | null)[];
        if (t !== null && t !== undefined) out.set(chunk[j]!, { lastSeenAt: Number(t), seq: Number(s ?? 0) });
      });
    }
    return out;
  }

  async forget(attemptId: string): Promise<void> {
    await this.redis.multi().del(this.entry(attemptId)).zrem(this.seenKey, attemptId).srem(this.dirtyKey, attemptId).exec();
  }

  async drainDirty(): Promise<PresenceFlush[]> {
    const flat = await this.drainScript(2, this.dirtyKey, this.seenKey, this.entryPrefix, ENTRY_TTL_MS);
    const out: PresenceFlush[] = [];
    for (let i = 0; i < flat.length; i += 4) out.push({ attemptId: flat[i]!, lastSeenAt: Number(flat[i + 1]), seq: Number(flat[i + 2]), beats: Number(flat[i + 3]) });
    return out;
  }
}
