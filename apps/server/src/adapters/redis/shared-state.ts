import type { Logger } from 'pino';
import type { SharedState } from '../../ports/shared-state.ts';
import { connectRedis, Keys, ready } from './connection.ts';
import { RedisInstructionHints } from './instruction-hints.ts';
import { RedisInvalidations } from './invalidation.ts';
import { RedisLimiters } from './limiter.ts';
import { RedisLiveEvents } from './live-events.ts';
import { RedisLoginActivity } from './login-activity.ts';
import { PRESENCE_ADVANCE, RedisPresence } from './presence.ts';
import { RedisStamps } from './stamps.ts';
import { RedisThrottle } from './throttle.ts';

/**
 * The shared state of several processes (REDIS_URL): three connections per process — commands,
 * the pub/sub subscriber, and the blocking live-event reader.
 */
export async function redisSharedState(url: string, opts: { prefix: string; now: () => number; log: Logger }): Promise<SharedState> {
  // Commands of concurrent requests sent in one write (one syscall each side), in order. The
  // presence script batches its own calls (one in flight): it goes straight out, no pipeline around it.
  const cmd = connectRedis(url, 'commands', { enableAutoPipelining: true, autoPipeliningIgnoredCommands: [PRESENCE_ADVANCE] });
  const sub = connectRedis(url, 'subscriber', { enableOfflineQueue: true, commandTimeout: undefined });
  const reader = connectRedis(url, 'events', { enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
  // A down Redis makes every connection report each reconnect attempt: say it once, then every 30 s with a count.
  let lastLogged = 0;
  let unreported = 0;
  for (const c of [cmd, sub, reader]) {
    c.on('error', (err: Error) => {
      const t = Date.now();
      if (t - lastLogged < 30_000) {
        unreported += 1;
        return;
      }
      opts.log.warn({ err: err.message, since: unreported }, 'Redis connection error (repeats are counted, not logged)');
      lastLogged = t;
      unreported = 0;
    });
  }
  try {
    await Promise.all([ready(cmd), ready(sub), ready(reader)]);
  } catch (e) {
    for (const c of [cmd, sub, reader]) c.disconnect();
    throw new Error(`cannot reach Redis at REDIS_URL (${redactUrl(url)}): ${(e as Error).message}`);
  }
  const keys = new Keys(opts.prefix);
  const events = new RedisLiveEvents(cmd, reader, keys, opts.log);
  return {
    presence: new RedisPresence(cmd, keys),
    limiters: new RedisLimiters(cmd, keys, opts.now, opts.log),
    events,
    throttle: new RedisThrottle(cmd, keys),
    invalidations: new RedisInvalidations(cmd, sub, keys),
    hints: new RedisInstructionHints(cmd, keys),
    activity: new RedisLoginActivity(cmd, keys),
    stamps: new RedisStamps(cmd, keys),
    ping: async () => (await cmd.ping()) === 'PONG',
    close: async () => {
      await events.close();
      sub.disconnect();
      await cmd.quit().catch(() => cmd.disconnect());
    },
  };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
