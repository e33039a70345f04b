import type { Repos } from './repositories.ts';

/**
 * The unit of work. `tx` runs `fn` with repositories bound to one transaction: everything it does
 * commits together or not at all, and the rows it reads with `getForUpdate` stay locked until it
 * ends, so a guard checked inside holds for the write that follows, with any number of processes.
 * (SQLite: BEGIN IMMEDIATE, one unit of work at a time; PostgreSQL: SELECT … FOR UPDATE.)
 * `repos` is the same API outside a transaction: each call stands alone.
 * Keep slow work (password hashing, signature checks) outside `fn`.
 */
export interface Database {
  readonly repos: Repos;
  tx<T>(fn: (r: Repos) => Promise<T>): Promise<T>;
  /** Whether the database answers (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
