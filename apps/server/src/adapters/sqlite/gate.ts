import type Database from 'better-sqlite3';

type Job = () => void;

/**
 * better-sqlite3 is one synchronous connection: whatever runs on it while a transaction is open
 * becomes part of that transaction. A unit of work's body is async (it awaits its repositories),
 * so without care another request's statement could run between two of its awaits and commit or
 * roll back with it. The gate prevents that:
 *
 * - `run(fn)` runs a synchronous database call at once when no unit of work is open (the hot path:
 *   no queue, no extra turn of the event loop), and otherwise queues it until the unit of work ends;
 * - `tx(fn)` runs units of work one at a time, inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on throw).
 *
 * Queued calls and units of work start in the order they arrived.
 */
export class SqliteGate {
  private open = false;
  private readonly queue: Job[] = [];

  constructor(private readonly client: Database.Database) {}

  /** Whether a unit of work holds the connection right now. */
  get busy(): boolean {
    return this.open;
  }

  run<T>(fn: () => T): Promise<T> {
    if (!this.open && this.queue.length === 0) {
      try {
        return Promise.resolve(fn());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        try {
          resolve(fn());
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  tx<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.open = true;
        let began = false;
        const finish = (commit: boolean, value?: T, error?: unknown) => {
          try {
            if (began && this.client.inTransaction) this.client.exec(commit ? 'COMMIT' : 'ROLLBACK');
          } catch (e) {
            if (commit) {
              // COMMIT failed (disk full, I/O error): nothing of this unit of work is kept.
              try {
                if (this.client.inTransaction) this.client.exec('ROLLBACK');
              } catch {
                /* the connection will report it again */
              }
              commit = false;
              error = e;
            }
          }
          this.open = false;
          if (commit) resolve(value as T);
          else reject(error);
          this.drain();
        };
        try {
          this.client.exec('BEGIN IMMEDIATE');
          began = true;
        } catch (e) {
          finish(false, undefined, e);
          return;
        }
        let p: Promise<T>;
        try {
          p = fn();
        } catch (e) {
          finish(false, undefined, e);
          return;
        }
        p.then(
          (v) => finish(true, v),
          (e: unknown) => finish(false, undefined, e),
        );
      };
      if (!this.open && this.queue.length === 0) start();
      else this.queue.push(start);
    });
  }

  /** Runs queued work until a unit of work takes the connection (it drains again when it ends). */
  private drain(): void {
    while (!this.open && this.queue.length > 0) this.queue.shift()!();
  }
}
