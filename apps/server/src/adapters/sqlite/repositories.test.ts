import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRepositories } from '../repositories.suite.ts';
import { openDatabase } from './open.ts';
import { SqliteDatabase } from './sqlite-database.ts';

describeRepositories('SQLite (a real file, WAL)', async () => new SqliteDatabase(openDatabase(mkdtempSync(join(tmpdir(), 'invigil-repos-')))));

describe('SQLite: append-only tables', () => {
  it('refuse UPDATE and DELETE on the audit trail, archives and their seals', async () => {
    const db = new SqliteDatabase(openDatabase(mkdtempSync(join(tmpdir(), 'invigil-append-'))));
    await db.repos.review.insertArchive({ attemptId: 'a1', sealedAt: 1, content: '{}', chainHead: 'h', score: 1, maxScore: 2, seal: { statement: '{}', mac: 'm' } });
    await db.repos.audit.append([{ at: 1, actorType: 'system', actorId: null, action: 'x' }]);
    const raw = db.db.$client;
    for (const sql of [
      "UPDATE archives SET content = '{\"x\":1}'",
      'UPDATE archives SET score = 2',
      'DELETE FROM archives',
      "UPDATE archive_seals SET mac = 'forged'",
      'DELETE FROM archive_seals',
      "UPDATE audit_events SET action = 'y'",
      'DELETE FROM audit_events',
    ]) {
      expect(() => raw.prepare(sql).run(), sql).toThrow(/append-only/);
    }
    await db.close();
  });
});
