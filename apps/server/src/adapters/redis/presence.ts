import type { Redis } from 'ioredis';
import type { HeldAdvance, Presence, PresenceEntry } from '../../ports/presence.ts';
import type { CopyCheck } from '../../ports/stamps.ts';
import type { PresenceFlush } from '../../ports/types.ts';
import { script, type Keys, type Script } from './connection.ts';
import { hintsKey } from './instruction-hints.ts';
import { stampKey } from './stamps.ts';

/** An attempt's entry lives this long after its last beat (an abandoned one cleans itself up). */
const ENTRY_TTL_MS = 48 * 3_600_000;

// KEYS: entry hash, last-seen sorted set, dirty set[, hints hash, the stamps of the caller's copies...].
// ARGV: seq (or -1 for a touch), at, floor, attemptId, ttl[, the stamps those copies were read under...].
// The seq check and the write are one script: atomic against every other process. With stamps,
// nothing happens unless each is still the current one ({2}: a copy is stale). Answers {1, hint}
// when the seq is taken (the attempt's instruction hint, with the hints hash), {0} when not.
const ADVANCE = `
for i = 5, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 1] then return {2} end
end
local held = redis.call('HMGET', KEYS[1], 's', 't')
local cur = tonumber(held[1] or '0')
local floor = tonumber(ARGV[3])
if floor > cur then cur = floor end
local seq = tonumber(ARGV[1])
if seq >= 0 and seq <= cur then return {0} end
local at = tonumber(ARGV[2])
local seen = tonumber(held[2] or '0')
if at > seen then seen = at end
if seq >= 0 then
  redis.call('HSET', KEYS[1], 's', seq, 't', seen)
  redis.call('HINCRBY', KEYS[1], 'b', 1)
else
  redis.call('HSET', KEYS[1], 's', cur, 't', seen)
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], seen, ARGV[4])
redis.call('SADD', KEYS[3], ARGV[4])
if KEYS[4] then return {1, redis.call('HGET', KEYS[4], ARGV[4])} end
return {1}`;

// KEYS: dirty set; ARGV: entry key prefix. Answers [attemptId, seen, seq, beats, ...] and zeroes the beats.
const DRAIN = `
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
 * Presence shared by every process: the seq compare-and-set is one Lua script per heartbeat, the
 * last-seen times also sit in a sorted set (the sweeper can range-query what went silent). The
 * durable seq floor stays in the database (flushed in batches), so a Redis that lost its data
 * (restart, failover, FLUSHDB) never lets a replayed seq through: the floor comes back with every call.
 */
export class RedisPresence implements Presence {
  private readonly advanceScript: Script<[number, (string | null)?]>;
  private readonly drainScript: Script<string[]>;
  private readonly seenKey: string;
  private readonly dirtyKey: string;
  private readonly hintsKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    this.advanceScript = script(redis, 'invigilPresenceAdvance', ADVANCE);
    this.drainScript = script(redis, 'invigilPresenceDrain', DRAIN);
    this.seenKey = keys.k('presence-seen');
    this.dirtyKey = keys.k('presence-dirty');
    this.hintsKey = hintsKey(keys);
  }

  private entry(id: string): string {
    return this.keys.k('presence', id);
  }

  private async run(seq: number, attemptId: string, at: number, floorSeq: number): Promise<number> {
    return (await this.advanceScript(3, this.entry(attemptId), this.seenKey, this.dirtyKey, seq, at, floorSeq, attemptId, ENTRY_TTL_MS))[0];
  }

  async advance(attemptId: string, seq: number, at: number, floorSeq: number): Promise<boolean> {
    return (await this.run(seq, attemptId, at, floorSeq)) === 1;
  }

  async advanceIfCurrent(attemptId: string, seq: number, at: number, floorSeq: number, checks: readonly CopyCheck[]): Promise<HeldAdvance> {
    const n = checks.length;
    const args = new Array<string | number>(9 + 2 * n);
    args[0] = this.entry(attemptId);
    args[1] = this.seenKey;
    args[2] = this.dirtyKey;
    args[3] = this.hintsKey;
    for (let i = 0; i < n; i++) args[4 + i] = stampKey(this.keys, checks[i]!.key);
    args[4 + n] = seq;
    args[5 + n] = at;
    args[6 + n] = floorSeq;
    args[7 + n] = attemptId;
    args[8 + n] = ENTRY_TTL_MS;
    for (let i = 0; i < n; i++) args[9 + n + i] = checks[i]!.stamp;
    const [r, hint] = await this.advanceScript(4 + n, ...args);
    return { outcome: r === 1 ? 'taken' : r === 2 ? 'stale' : 'replayed', hint: hint ?? null };
  }

  async touch(attemptId: string, at: number, floorSeq: number): Promise<void> {
    await this.run(-1, attemptId, at, floorSeq);
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
    const flat = await this.drainScript(1, this.dirtyKey, this.entry(''));
    const out: PresenceFlush[] = [];
    for (let i = 0; i < flat.length; i += 4) out.push({ attemptId: flat[i]!, lastSeenAt: Number(flat[i + 1]), seq: Number(flat[i + 2]), beats: Number(flat[i + 3]) });
    return out;
  }
}
