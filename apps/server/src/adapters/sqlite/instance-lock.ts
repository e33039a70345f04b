import Database from 'better-sqlite3';
import { join } from 'node:path';
import { StartupRefused } from '../../ports/errors.ts';
import { InstanceLockRefused, type InstanceLock } from '../../ports/instance-lock.ts';

/**
 * Who serves a data folder, held as a lock on `DATA_DIR/server.lock` through SQLite's own file
 * locking: the operating system releases it when the process ends, however it ends (no stale lock
 * file after a crash). `exclusive` (no REDIS_URL: this process's memory decides answers) holds the
 * file's exclusive lock; `shared` (REDIS_URL: state is shared) holds a read lock that any number of
 * processes may share, and that keeps an exclusive taker out.
 */
export function lockDataDir(dataDir: string, mode: 'exclusive' | 'shared'): InstanceLock {
  const file = join(dataDir, 'server.lock');
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0 });
  } catch (e) {
    throw refusal(dataDir, mode, e);
  }
  try {
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (mode TEXT)');
  } catch (e) {
    db.close();
    throw refusal(dataDir, mode, e);
  }
  try {
    if (mode === 'exclusive') {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec("DELETE FROM holder; INSERT INTO holder VALUES ('exclusive')");
      db.exec('COMMIT'); // in EXCLUSIVE locking mode the lock stays after the commit
    } else {
      db.exec('BEGIN');
      db.prepare('SELECT count(*) FROM holder').get(); // takes the shared lock, held while the read transaction stays open
    }
  } catch (e) {
    db.close();
    throw refusal(dataDir, mode, e);
  }
  return {
    release: () => {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
  };
}

function refusal(dataDir: string, mode: 'exclusive' | 'shared', e: unknown): Error {
  const code = typeof e === 'object' && e !== null ? String((e as { code?: unknown }).code ?? '') : '';
  if (/^SQLITE_(READONLY|CANTOPEN|IOERR|PERM)|^E(ROFS|ACCES|PERM|NOENT)$/.test(code)) {
    return new StartupRefused(`DATA_DIR ${dataDir} is not writable by this user (${code}): give it to the user the server runs as, mount it read-write, or point DATA_DIR elsewhere.`);
  }
  if (!code.startsWith('SQLITE_BUSY')) return e instanceof Error ? e : new Error(String(e));
  return new InstanceLockRefused(
    mode === 'exclusive'
      ? `another Invigil server is already serving DATA_DIR ${dataDir}, and without REDIS_URL only one process may serve it (set REDIS_URL on every process to run several), so this one stops and the running one keeps serving.`
      : `an Invigil server without REDIS_URL is already serving DATA_DIR ${dataDir} on its own; stop it, or set REDIS_URL on it too, before starting more processes.`,
  );
}
