import { describe, expect, it } from 'vitest';
import { safeStorageSecretStore } from './secret-store.ts';

// A FAKE safeStorage (the real one needs Electron, which cannot run here): reversible, not secure.
const fakeSafeStorage = (available = true) => ({
  isEncryptionAvailable: () => available,
  encryptString: (s: string) => Buffer.from(`sealed:${[...s].reverse().join('')}`),
  decryptString: (b: Buffer) => [...b.toString().replace(/^sealed:/, '')].reverse().join(''),
});

describe('safeStorageSecretStore', () => {
  it('round-trips arbitrary bytes through the string-only safeStorage', () => {
    const store = safeStorageSecretStore(fakeSafeStorage());
    const secret = Buffer.from([0, 1, 2, 254, 255, 0x80, 10, 13]);
    const sealed = store.seal(secret);
    expect(sealed.includes(secret)).toBe(false);
    expect(store.unseal(sealed)).toEqual(secret);
  });

  it('refuses to start without OS encryption', () => {
    expect(() => safeStorageSecretStore(fakeSafeStorage(false))).toThrow(/not available/);
  });
});
