import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Repos } from './ports/repositories.ts';

/** The server refuses to start: the message is one sentence for the operator. */
export class SecretKeyRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyRefused';
  }
}

const KEY_ID_SETTING = 'secret_key_id';
const keyId = (key: Buffer) => createHmac('sha256', key).update('invigil-secret-key-id/v1').digest('hex').slice(0, 32);

function readKey(file: string): Buffer | null {
  if (!existsSync(file)) return null;
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  return key.length >= 32 ? key : null;
}

/**
 * The server's own secret (keys the access-code hashes and the archive seals), kept beside the
 * database, never inside it. A new one is made only for a new database: the database remembers an
 * id of its key, so a missing, emptied or swapped file on an existing database stops the start
 * (every access code would fail and every archive would look forged) instead of being replaced.
 */
export async function loadSecretKey(file: string, repos: Pick<Repos, 'settings' | 'staff'>): Promise<Buffer> {
  const recorded = (await repos.settings.get(KEY_ID_SETTING)) as string | undefined;
  // A database from before the id was recorded is recognised by its accounts.
  const existing = recorded !== undefined || (await repos.staff.count()) > 0;
  let key = readKey(file);
  if (!key) {
    if (existing) {
      throw new SecretKeyRefused(
        `${file} is ${existsSync(file) ? 'empty or damaged' : 'missing'}, but this database was created with it (access codes and archive seals depend on it): restore it from the backup you made together with the database; the server will not start without it.`,
      );
    }
    key = randomBytes(32);
    try {
      // 'wx' where there is no file: of two instances starting at once on a new database, one writes it.
      writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: existsSync(file) ? 'w' : 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      key = readKey(file);
      if (!key) throw new SecretKeyRefused(`${file} was created by another process but holds no key: delete it and start again.`);
    }
  }
  chmodSync(file, 0o600);
  if (recorded === undefined) await repos.settings.put(KEY_ID_SETTING, keyId(key), 'system', Date.now());
  else if (recorded !== keyId(key)) {
    throw new SecretKeyRefused(`${file} is not the key this database was created with: restore the secret.key backed up together with this database; the server will not start with another one.`);
  }
  return key;
}
