import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecretStore } from './ports.ts';

const MAGIC = Buffer.from('IVS1');

/**
 * A SecretStore for tests and plain Node: AES-256-GCM with a random key kept in a file readable
 * only by this user. The Electron app uses `safeStorage` instead (the OS keychain / DPAPI).
 * Keep the key file outside the agent's data folder, so a copy of that folder alone reveals nothing.
 */
export class FileSecretStore implements SecretStore {
  private readonly key: Buffer;

  constructor(keyPath: string) {
    this.key = FileSecretStore.loadOrCreateKey(keyPath);
  }

  private static loadOrCreateKey(keyPath: string): Buffer {
    try {
      const k = readFileSync(keyPath);
      if (k.length !== 32) throw new Error(`secret key file ${keyPath} is not 32 bytes`);
      return k;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    try {
      // 'wx': two processes racing to create it cannot both win
      const fd = openSync(keyPath, 'wx', 0o600);
      writeSync(fd, key);
      fsyncSync(fd);
      closeSync(fd);
      return key;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return FileSecretStore.loadOrCreateKey(keyPath);
      throw e;
    }
  }

  seal(plain: Buffer): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(MAGIC);
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([MAGIC, iv, c.getAuthTag(), body]);
  }

  unseal(sealed: Buffer): Buffer {
    if (sealed.length < 32 || !sealed.subarray(0, 4).equals(MAGIC)) throw new Error('not a sealed blob');
    const iv = sealed.subarray(4, 16);
    const tag = sealed.subarray(16, 32);
    const d = createDecipheriv('aes-256-gcm', this.key, iv);
    d.setAAD(MAGIC);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(sealed.subarray(32)), d.final()]);
  }
}
