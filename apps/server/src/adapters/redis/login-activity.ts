import type { Redis } from 'ioredis';
import type { LoginActivity } from '../../ports/login-activity.ts';
import { script, type Keys, type Script } from './connection.ts';

// Records ARGV[2] as the login's activity (never backwards) when ARGV[3] is '' or the activity held is
// later than ARGV[3]; answers the activity held before (-1: none).
const TOUCH_IF_AFTER = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
local cur = tonumber(held or '-1')
if ARGV[3] == '' or (held and cur > tonumber(ARGV[3])) then
  if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
  redis.call('SADD', KEYS[2], ARGV[1])
end
return cur`;

const DRAIN = `
local ids = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HGET', KEYS[1], id)
  if v then
    table.insert(out, id)
    table.insert(out, v)
    redis.call('HDEL', KEYS[1], id)
  end
end
return out`;

/** Login activity seen by any process, flushed to the database in batches by whichever process drains it. */
export class RedisLoginActivity implements LoginActivity {
  private readonly touchIfAfterScript: Script<number>;
  private readonly drainScript: Script<string[]>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    this.touchIfAfterScript = script(redis, 'invigilActivityTouchIfAfter', TOUCH_IF_AFTER);
    this.drainScript = script(redis, 'invigilActivityDrain', DRAIN);
  }

  async touch(sessionId: string, at: number): Promise<void> {
    await this.touchIfAfter(sessionId, at, null);
  }

  async touchIfAfter(sessionId: string, at: number, after: number | null): Promise<number | undefined> {
    const held = await this.touchIfAfterScript(2, this.keys.k('activity'), this.keys.k('activity-dirty'), sessionId, at, after === null ? '' : after);
    return held < 0 ? undefined : held;
  }

  async lastSeen(sessionIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (sessionIds.length === 0) return out;
    const v = await this.redis.hmget(this.keys.k('activity'), ...sessionIds);
    v.forEach((t, i) => t !== null && out.set(sessionIds[i]!, Number(t)));
    return out;
  }

  async drain(): Promise<{ id: string; lastActivity: number }[]> {
    const flat = await this.drainScript(2, this.keys.k('activity'), this.keys.k('activity-dirty'));
    const out: { id: string; lastActivity: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, lastActivity: Number(flat[i + 1]) });
    return out;
  }
}
