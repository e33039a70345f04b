import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection with timeouts on everything: a command that cannot be sent or answered fails
 * fast (the request answers 503) instead of queueing behind a dead server; the connection keeps
 * reconnecting in the background.
 */
export function connectRedis(url: string, name: string, opts: Partial<RedisOptions> = {}): Redis {
  return new Redis(url, {
    connectionName: `invigil:${name}`,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(2_000, 50 * 2 ** Math.min(times, 6)),
    lazyConnect: false,
    ...opts,
  });
}

/** Resolves once the connection is ready (or rejects after `ms`). */
export function ready(r: Redis, ms = 10_000): Promise<void> {
  if (r.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${ms} ms`));
    }, ms);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(t);
      r.off('ready', onReady);
    };
    r.on('ready', onReady);
  });
}

/** Keys of one deployment (and of one test run) live under their prefix. */
export class Keys {
  constructor(readonly prefix: string) {}
  k(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }
}

/**
 * A Lua script as a command of the connection: sent as EVALSHA (the script's text once per
 * connection, not with every call), EVAL again when Redis lost its script cache.
 */
export type Script<T> = (numKeys: number, ...args: (string | number)[]) => Promise<T>;

export function script<T>(redis: Redis, name: string, lua: string): Script<T> {
  const commands = redis as unknown as Record<string, (...a: (string | number)[]) => Promise<T>>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { lua });
  return (numKeys, ...args) => commands[name]!(numKeys, ...args);
}
