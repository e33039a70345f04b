import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionFixture } from '../session-fixture.ts';
import { databaseFile, openDatabase } from './open.ts';
import { SqliteDatabase } from './sqlite-database.ts';

const T = Date.UTC(2026, 0, 5, 9);

describe('SQLite gate: group commit of units of work', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'invigil-gate-'));
    const db = new SqliteDatabase(openDatabase(dir));
    // A second connection on the same file sees only what is committed.
    const other = new Database(databaseFile(dir), { readonly: true });
    open.push(db, other);
    return { db, committed: (action: string) => other.prepare('SELECT count(*) FROM audit_events WHERE action = ?').pluck().get(action) as number };
  };

  it('units asked for in the same turn share one commit, and each is acknowledged only once it is committed', async () => {
    const { db, committed } = fresh();
    const seenAtAck: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db
          .tx(async (r) => {
            await r.audit.append([{ at: T, actorType: 'system', actorId: null, action: 'gate.together', attemptId: `a-${i}` }]);
            return i;
          })
          .then(() => seenAtAck.push(committed('gate.together'))),
      ),
    );
    // Committed one by one, the first acknowledgement would see 1 row, the next 2…
    expect(seenAtAck).toEqual(new Array(20).fill(20));
  });

  it('a unit that throws is rolled back alone; the others of its group are committed', async () => {
    const { db, committed } = fresh();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        db.tx(async (r) => {
          await r.audit.append([{ at: T, actorType: 'system', actorId: null, action: 'gate.mixed', attemptId: `m-${i}` }]);
          if (i === 2) throw new Error('changed its mind');
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(committed('gate.mixed')).toBe(5);
  });

  it('a plain call while units only wait for their turn runs at once on what is committed; after the unit it sees its write', async () => {
    const { db } = fresh();
    const rec = sessionFixture({ examId: 'e1', candidateId: 'c1', at: T });
    const unit = db.tx((r) => r.examSessions.insert(rec, T));
    expect(await db.repos.examSessions.get(rec.attemptId)).toBeUndefined();
    await unit;
    expect((await db.repos.examSessions.get(rec.attemptId))?.attemptId).toBe(rec.attemptId);
  });
});
