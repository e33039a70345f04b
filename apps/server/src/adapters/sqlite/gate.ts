import type Database from 'better-sqlite3';

type Job = { kind: 'run'; go: () => void } | { kind: 'tx'; fn: () => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** Units of work committed together at most (one fsync for all of them). */
const MAX_GROUP = 64;

/**
 * better-sqlite3 is one synchronous connection: whatever runs on it while a transaction is open
 * becomes part of that transaction. A unit of work's body is async (it awaits its repositories),
 * so without care another request's statement could run between two of its awaits and commit or
 * roll back with it. The gate prevents that:
 *
 * - `run(fn)` runs a synchronous database call at once when no unit of work is open (the hot path:
 *   no queue, no extra turn of the event loop), and otherwise queues it until the units end. A call
 *   made while units are only waiting for their turn (none open) runs at once too: it sees what is
 *   committed, exactly as if it had come before them;
 * - `tx(fn)` runs units of work one at a time. Units that are waiting together are committed
 *   together (group commit, as answers are): one BEGIN IMMEDIATE … COMMIT, one fsync, each unit in
 *   a savepoint of its own, so a unit that throws is rolled back alone and the others go on. Every
 *   unit's promise settles only after the COMMIT: nothing is acknowledged before it is durable; if
 *   the COMMIT fails (a full disk), every unit of the group fails and none of them is kept.
 *   A unit asked for while the connection is free waits for the end of this turn of the event loop
 *   (setImmediate), so that the units of every request read in the same turn share one commit: a
 *   SQLite unit never awaits real I/O, so without the wait each would be a group of one.
 *
 * Queued calls start in the order they arrived, and so do units of work.
 */
export class SqliteGate {
  private open = false;
  /** A drain is due at the end of this turn of the event loop (units wait for it to form a group). */
  private scheduled = false;
  private readonly queue: Job[] = [];

  /** The transaction statements, prepared once (each exec would parse its SQL again). */
  private readonly sql: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit' | 'rollback', Database.Statement>;

  constructor(private readonly client: Database.Database) {
    const p = (text: string) => client.prepare(text);
    this.sql = { begin: p('BEGIN IMMEDIATE'), savepoint: p('SAVEPOINT unit'), release: p('RELEASE unit'), rollbackTo: p('ROLLBACK TO unit'), commit: p('COMMIT'), rollback: p('ROLLBACK') };
  }

  /** Whether a unit of work holds the connection right now. */
  get busy(): boolean {
    return this.open;
  }

  run<T>(fn: () => T): Promise<T> {
    if (!this.open) {
      try {
        return Promise.resolve(fn());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        kind: 'run',
        go: () => {
          try {
            resolve(fn());
          } catch (e) {
            reject(e);
          }
        },
      });
    });
  }

  tx<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ kind: 'tx', fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.open && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /** Runs queued work until a group of units takes the connection (it drains again when it ends). */
  private drain(): void {
    while (!this.open && this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'run') {
        this.queue.shift();
        head.go();
        continue;
      }
      // The units of work at the head of the queue, up to the next plain call, form one group.
      const group: Extract<Job, { kind: 'tx' }>[] = [];
      while (group.length < MAX_GROUP && this.queue[0]?.kind === 'tx') group.push(this.queue.shift() as Extract<Job, { kind: 'tx' }>);
      void this.commitGroup(group);
    }
  }

  private async commitGroup(group: Extract<Job, { kind: 'tx' }>[]): Promise<void> {
    this.open = true;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.sql.begin.run();
    } catch (e) {
      this.open = false;
      for (const u of group) u.reject(e);
      this.drain();
      return;
    }
    let lost: unknown = null;
    for (let i = 0; i < group.length; i++) {
      const u = group[i]!;
      this.sql.savepoint.run();
      try {
        const value = await u.fn();
        this.sql.release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        outcomes.push({ ok: false, error });
        if (this.client.inTransaction) {
          try {
            this.sql.rollbackTo.run();
            this.sql.release.run();
          } catch {
            /* reported by the COMMIT below */
          }
        }
      }
      if (!this.client.inTransaction) {
        // SQLite rolled the whole transaction back by itself (a full disk, an I/O error): what the
        // units before did is gone too, and the ones not yet run go first into the next group.
        lost = (outcomes[i] as { error?: unknown }).error ?? new Error('the transaction was rolled back');
        this.queue.unshift(...group.slice(i + 1));
        group.length = i + 1;
        break;
      }
    }
    let commitError: unknown = lost;
    if (lost === null) {
      try {
        this.sql.commit.run();
      } catch (e) {
        // COMMIT failed (disk full, I/O error): nothing of this group is kept.
        commitError = e;
        try {
          if (this.client.inTransaction) this.sql.rollback.run();
        } catch {
          /* the connection will report it again */
        }
      }
    }
    this.open = false;
    group.forEach((u, i) => {
      const o = outcomes[i]!;
      if (commitError !== null) u.reject(o.ok ? commitError : o.error);
      else if (o.ok) u.resolve(o.value);
      else u.reject(o.error);
    });
    this.drain();
  }
}
