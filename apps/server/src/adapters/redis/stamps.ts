import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { WRITING, type Stamps } from '../../ports/stamps.ts';
import { script, type Keys, type Script } from './connection.ts';

/** A stamp lives this long (then a new one is made: one more read of the row per process). */
const STAMP_TTL_MS = 3_600_000;
/** A "being written" mark outlives any unit of work (statement timeouts are far shorter). */
const WRITING_TTL_MS = 30_000;

// KEYS: the stamps. ARGV: a fresh base (see `fresh` below), ttl. A missing stamp is created (base .. index).
const READ = `
local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if not v then
    v = ARGV[1] .. i
    redis.call('SET', k, v, 'PX', ARGV[2])
  end
  out[i] = v
end
return out`;

// KEYS: the stamps. ARGV: the value (base .. index when ARGV[3] is '1'), ttl, indexed.
const SET = `
for i, k in ipairs(KEYS) do
  local v = ARGV[1]
  if ARGV[3] == '1' then v = v .. i end
  redis.call('SET', k, v, 'PX', ARGV[2])
end
return #KEYS`;

/**
 * New stamps: unique, not secret (a stamp only has to differ from every earlier one): this
 * process's random name and a counter, no random bytes per call.
 */
const PROCESS = randomBytes(9).toString('base64url');
let counter = 0;
const fresh = () => `${PROCESS}.${(counter += 1).toString(36)}.`;

/** The Redis key of a stamp (the presence script checks a session's copy by it). */
export const stampKey = (keys: Keys, key: string): string => keys.k('stamp', key);

/** Stamps in Redis (one script per call, sent as EVALSHA). */
export class RedisStamps implements Stamps {
  private readonly readScript: Script<string[]>;
  private readonly setScript: Script<number>;
  private readonly lost = new Set<() => void>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    this.readScript = script(redis, 'invigilStampsRead', READ);
    this.setScript = script(redis, 'invigilStampsSet', SET);
    // Whatever changed while the connection was down (or on a replica that took over) may not be
    // in the stamps this process reads next: every copy goes.
    redis.on('close', () => {
      for (const l of this.lost) l();
    });
  }

  private k(keys: readonly string[]): string[] {
    return keys.map((key) => stampKey(this.keys, key));
  }

  async read(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const k = this.k(keys);
    // Nearly always every stamp exists: a plain MGET (no script run). Missing ones are made by the script.
    const got = await this.redis.mget(...k);
    if (got.every((v) => v !== null)) return got as string[];
    return this.readScript(k.length, ...k, fresh(), STAMP_TTL_MS);
  }

  async writing(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.setScript(keys.length, ...this.k(keys), `${WRITING}${fresh()}`, WRITING_TTL_MS, '0');
  }

  async bump(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.setScript(keys.length, ...this.k(keys), fresh(), STAMP_TTL_MS, '1');
  }

  onLost(listener: () => void): void {
    this.lost.add(listener);
  }
}
