import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

/**
 * The Redis the tests use: REDIS_TEST_URL, else the local one on 127.0.0.1:6379. When none answers,
 * the Redis tests register one visible skipped test saying why (and print it), never a silent pass.
 */
export async function redisForTests(): Promise<{ url: string | null }> {
  const url = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379/0';
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    await probe.ping();
    return { url };
  } catch (e) {
    const why = `SKIPPED: no Redis answers at ${url} (${(e as Error).message}); scripts/test.sh starts one when it can`;
    console.warn(why);
    describe('Redis adapters', () => it.skip(why, () => undefined));
    return { url: null };
  } finally {
    probe.disconnect();
  }
}
