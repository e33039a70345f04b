import type { Redis } from 'ioredis';
import type { InstructionHints } from '../../ports/instruction-hints.ts';
import { script, type Keys, type Script } from './connection.ts';

/** The hash of hints (attempt id → token): the presence script reads an attempt's hint in its own step. */
export const hintsKey = (keys: Keys): string => keys.k('hints');

const MARK = `local n = redis.call('INCR', KEYS[2]) redis.call('HSET', KEYS[1], ARGV[1], n) return n`;
const CLEAR = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

/**
 * Which attempts may have staff instructions waiting, shared by every process. Losing Redis loses
 * only hints: the composition root marks every attempt with pending instructions again at start.
 */
export class RedisInstructionHints implements InstructionHints {
  private readonly markScript: Script<number>;
  private readonly clearScript: Script<number>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    this.markScript = script(redis, 'invigilHintsMark', MARK);
    this.clearScript = script(redis, 'invigilHintsClear', CLEAR);
  }

  async mark(attemptId: string): Promise<void> {
    await this.markScript(2, hintsKey(this.keys), this.keys.k('hints-counter'), attemptId);
  }

  peek(attemptId: string): Promise<string | null> {
    return this.redis.hget(hintsKey(this.keys), attemptId);
  }

  async clear(attemptId: string, token: string): Promise<void> {
    await this.clearScript(1, hintsKey(this.keys), attemptId, token);
  }
}
