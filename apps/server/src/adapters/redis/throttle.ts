import type { Redis } from 'ioredis';
import type { Throttle } from '../../ports/throttle.ts';
import { script, type Keys, type Script } from './connection.ts';

// KEYS: the key. ARGV: now, window. Yes (1) at most once per window on the caller's clock.
const TAKE = `
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
local now = tonumber(ARGV[1])
if last >= 0 and now - last < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], now, 'PX', tonumber(ARGV[2]) * 2)
return 1`;

export class RedisThrottle implements Throttle {
  private readonly takeScript: Script<number>;

  constructor(
    redis: Redis,
    private readonly keys: Keys,
  ) {
    this.takeScript = script(redis, 'invigilThrottleTake', TAKE);
  }

  async take(key: string, windowMs: number, now: number): Promise<boolean> {
    return (await this.takeScript(1, this.keys.k('throttle', key), now, windowMs)) === 1;
  }
}
