import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupRefused } from '../../ports/errors.ts';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating if needed) the embedded database and applies the committed migrations.
 * WAL + synchronous=FULL: a committed transaction survives a crash or power loss.
 */
export function openDatabase(dataDir: string): Db {
  const file = join(dataDir, 'invigil.sqlite');
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (e) {
    throw new StartupRefused(`DATA_DIR ${dataDir} is not writable by this user (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give it to the user the server runs as, or point DATA_DIR elsewhere.`);
  }
  const existed = existsSync(file);
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(file);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    // A damaged file is found now, with a sentence saying so, not at the first login.
    if (existed) {
      const problems = sqlite.pragma('quick_check', { simple: false }) as { quick_check: string }[];
      if (problems.length !== 1 || problems[0]!.quick_check !== 'ok') {
        throw new StartupRefused(`the database ${file} is damaged (quick_check: ${problems.slice(0, 3).map((p) => p.quick_check).join('; ')}): stop, restore it and secret.key from your backup, then start again.`);
      }
    }
    const db = drizzle(sqlite, { schema }) as Db;
    migrate(db, { migrationsFolder: MIGRATIONS });
    return db;
  } catch (e) {
    sqlite?.close();
    if (e instanceof StartupRefused) throw e;
    const code = String((e as { code?: unknown }).code ?? '');
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StartupRefused(`the database ${file} is damaged or is not an Invigil database (${code}): stop, restore it and secret.key from your backup, then start again.`);
    }
    if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_IOERR')) {
      throw new StartupRefused(`the database ${file} cannot be opened for writing (${code}): check that DATA_DIR is on a writable, mounted disk owned by this user.`);
    }
    if (code === 'SQLITE_FULL') throw new StartupRefused(`the disk holding ${file} is full: free some space, then start again.`);
    throw e;
  }
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'invigil.sqlite');
}
