import type { Redis } from 'ioredis';
import type { HeldAdvance, Presence, PresenceEntry } from '../../ports/presence.ts';
import type { CopyCheck } from '../../ports/stamps.ts';
import type { PresenceFlush } from '../../ports/types.ts';
import { script, type Keys, type Script } from './connection.ts';
import { hintsKey } from './instruction-hints.ts';
import { stampKey } from './stamps.ts';

/**
 * An attempt's entry lives at least this long after its last beat (an abandoned one cleans itself
 * up). Its expiry is set again only once a quarter of it has passed (field `x`: when it was last
 * set), not with every beat: a write less per beat, and the entry still outlives 36 h of silence.
 */
const ENTRY_TTL_MS = 48 * 3_600_000;
const EXPIRY_REFRESH_MS = ENTRY_TTL_MS / 4;

/** The advance script's command name (the connection sends it outside its auto-pipeline). */
export const PRESENCE_ADVANCE = 'invigilPresenceAdvance';

/** At most this many beats go in one script call (Redis runs a script alone: keep each short). */
const MAX_BATCH = 128;
/** At most this many attempts per drain call. */
const DRAIN_CHUNK = 1_000;

// Beats of many attempts in one call, each as if it ran alone, in order.
// KEYS: hints hash. ARGV: the entry key prefix, the stamp key prefix, ttl, expiry refresh age, and
// the beats as one JSON array, each [attemptId, seq (-1 for a touch), at, floor, 1 when the hint is
// wanted, then for each copy the caller decided on: its stamp's key and the stamp it was read under
// (none for a plain advance)].
// Five arguments whatever the batch holds (each argument costs both sides; cjson is C). Entry and
// stamp keys are made from their prefixes here, as DRAIN does: one Redis, not a Redis Cluster.
// Answers per beat a code and a hint: 2 a copy is stale (nothing happens), 0 the seq is not above
// the last one (nothing happens), 1 taken (with the attempt's instruction hint when wanted, or false).
// The seq check and the write are one script: atomic against every other process. Only the entry
// is written: which attempts changed (and how many beats) the process that took them remembers.
const ADVANCE = `
local out = {}
local entries, stamps, ttl, refresh = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
for _, f in ipairs(cjson.decode(ARGV[5])) do
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
    local held = redis.call('HMGET', entry, 's', 't', 'x')
    local cur = tonumber(held[1] or '0')
    local floor = f[4]
    if floor > cur then cur = floor end
    if seq >= 0 and seq <= cur then
      code = 0
    else
      local seen = tonumber(held[2] or '0')
      local at = f[3]
      if at > seen then seen = at end
      if seq < 0 then seq = cur end
      local x = tonumber(held[3] or '')
      if x == nil or at - x >= refresh or at < x then
        redis.call('HSET', entry, 's', seq, 't', seen, 'x', at)
        redis.call('PEXPIRE', entry, ttl)
      else
        redis.call('HSET', entry, 's', seq, 't', seen)
      end
      if f[5] == 1 then hint = redis.call('HGET', KEYS[1], id) end
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

// KEYS: last-seen sorted set; ARGV: entry key prefix, entry ttl, then the attempts to drain. Answers
// [attemptId, seen, seq, ...] for those whose entry exists, and raises their last-seen scores in one
// ZADD. Attempts not seen for the entry's lifetime before the latest beat leave the sorted set
// (their entries expired by themselves: nothing else would remove them).
const DRAIN = `
local out = {}
local z = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local v = redis.call('HMGET', ARGV[1] .. id, 't', 's')
  if v[1] then
    out[#out + 1] = id
    out[#out + 1] = v[1]
    out[#out + 1] = v[2] or '0'
    z[#z + 1] = v[1]
    z[#z + 1] = id
  end
end
if #z > 0 then redis.call('ZADD', KEYS[1], 'GT', unpack(z)) end
local newest = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if newest[2] then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', tonumber(newest[2]) - tonumber(ARGV[2]))) end
return out`;

/**
 * Presence shared by every process: the seq compare-and-set is a Lua script, one call for the
 * beats that arrive together (see `submit`); the last-seen times also sit in a sorted set (the
 * sweeper can range-query what went silent; raised at each drain). The durable seq floor stays in
 * the database (flushed in batches), so a Redis that lost its data (restart, failover, FLUSHDB)
 * never lets a replayed seq through: the floor comes back with every call. Which attempts changed
 * since the last flush, and how many beats each took, is this process's own count: it flushes the
 * beats it took (with the entry's values read at the drain), the others theirs; the database only
 * ever raises last seen and seq and adds the beats, so the flushes of several processes add up.
 */
export class RedisPresence implements Presence {
  private readonly advanceScript: Script<(number | string | null)[]>;
  private readonly drainScript: Script<string[]>;
  private readonly seenKey: string;
  private readonly hintsKey: string;
  private readonly entryPrefix: string;
  private readonly stampPrefix: string;
  /** Beats waiting for the call in flight to come back; they then go together in one call. */
  private queue: Beat[] = [];
  private inFlight = false;
  /** attemptId → beats taken here since the last drain (0: only touched). */
  private dirty = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    this.advanceScript = script(redis, PRESENCE_ADVANCE, ADVANCE);
    this.drainScript = script(redis, 'invigilPresenceDrain', DRAIN);
    this.seenKey = keys.k('presence-seen');
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
    this.advanceScript(1, this.hintsKey, this.entryPrefix, this.stampPrefix, ENTRY_TTL_MS, EXPIRY_REFRESH_MS, JSON.stringify(beats)).then(
      (out) => {
        this.next();
        for (let i = 0; i < batch.length; i++) {
          const b = batch[i]!;
          const code = Number(out[2 * i]);
          if (code === 1) this.dirty.set(b.attemptId, (this.dirty.get(b.attemptId) ?? 0) + (b.seq >= 0 ? 1 : 0));
          b.done(code, (out[2 * i + 1] as string | null | undefined) ?? null);
        }
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
    await this.redis.multi().del(this.entry(attemptId)).zrem(this.seenKey, attemptId).exec();
  }

  /**
   * The attempts this process changed since the last drain, with the entry's last seen and seq as
   * Redis holds them now (after a transfer's forget, the new device's: never a seq it left behind)
   * and the beats taken here. Should Redis fail, the attempts stay for the next drain.
   */
  async drainDirty(): Promise<PresenceFlush[]> {
    const taken = this.dirty;
    this.dirty = new Map();
    const ids = [...taken.keys()];
    const out: PresenceFlush[] = [];
    // One call even with nothing changed here: the sorted set is trimmed by every drain.
    for (let i = 0; i === 0 || i < ids.length; i += DRAIN_CHUNK) {
      let flat: string[];
      try {
        flat = await this.drainScript(1, this.seenKey, this.entryPrefix, ENTRY_TTL_MS, ...ids.slice(i, i + DRAIN_CHUNK));
      } catch (err) {
        for (const id of ids.slice(i)) this.dirty.set(id, (this.dirty.get(id) ?? 0) + taken.get(id)!);
        if (out.length === 0) throw err;
        return out; // what was read is flushed; the rest waits for the next drain
      }
      for (let j = 0; j < flat.length; j += 3) out.push({ attemptId: flat[j]!, lastSeenAt: Number(flat[j + 1]), seq: Number(flat[j + 2]), beats: taken.get(flat[j]!) ?? 0 });
    }
    return out;
  }
}
