import { describe, it } from 'vitest';
import type { Database } from '../../ports/database.ts';
import { describeRepositories } from '../repositories.suite.ts';
import { openPostgresDatabase } from './open.ts';
import { freshDatabase, postgresUnavailable } from './testing.ts';

const unavailable = await postgresUnavailable();

if (unavailable) {
  console.warn(`SKIPPED: the PostgreSQL repository suite: ${unavailable}`);
  describe.skip(`repositories on PostgreSQL (SKIPPED: ${unavailable})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describeRepositories('PostgreSQL (a fresh database, node-postgres pool)', async (): Promise<Database> => {
    const fresh = await freshDatabase();
    const db = await openPostgresDatabase(fresh.url, { poolSize: 8 }).catch(async (e: unknown) => {
      await fresh.drop();
      throw e;
    });
    // The suite closes the database when it is done; the throwaway database goes with it.
    const close = db.close.bind(db);
    return Object.assign(db, {
      close: async () => {
        await close();
        await fresh.drop();
      },
    });
  });
}
