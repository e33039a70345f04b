import type { Redis } from 'ioredis';
import type { LoginActivity } from '../../ports/login-activity.ts';
import type { Keys } from './connection.ts';

const TOUCH = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('SADD', KEYS[2], ARGV[1])
return 1`;

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
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async touch(sessionId: string, at: number): Promise<void> {
    await this.redis.eval(TOUCH, 2, this.keys.k('activity'), this.keys.k('activity-dirty'), sessionId, at);
  }

  async lastSeen(sessionIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (sessionIds.length === 0) return out;
    const v = await this.redis.hmget(this.keys.k('activity'), ...sessionIds);
    v.forEach((t, i) => t !== null && out.set(sessionIds[i]!, Number(t)));
    return out;
  }

  async drain(): Promise<{ id: string; lastActivity: number }[]> {
    const flat = (await this.redis.eval(DRAIN, 2, this.keys.k('activity'), this.keys.k('activity-dirty'))) as string[];
    const out: { id: string; lastActivity: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, lastActivity: Number(flat[i + 1]) });
    return out;
  }
}
