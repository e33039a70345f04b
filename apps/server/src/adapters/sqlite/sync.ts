/** The synchronous form of an async port: what a better-sqlite3 repository implements. */
export type Sync<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K] };

import type { Db } from './open.ts';

/**
 * Runs `fn` atomically: its own IMMEDIATE transaction when called alone, a savepoint when called
 * inside a unit of work (better-sqlite3 nests transaction functions; drizzle's would refuse to).
 */
export function atomic<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate();
}
