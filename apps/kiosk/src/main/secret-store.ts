import type { SecretStore } from '@invigil/agent';

/** The part of Electron's `safeStorage` the agent's secret store needs. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

/**
 * The agent's SecretStore on Electron's safeStorage (DPAPI on Windows, the Keychain on macOS,
 * libsecret/kwallet on Linux). safeStorage takes strings, so bytes travel as base64.
 */
export function safeStorageSecretStore(ss: SafeStorageLike): SecretStore {
  if (!ss.isEncryptionAvailable()) throw new Error('the OS secret store (safeStorage) is not available; the kiosk cannot keep its device key safely');
  return {
    seal: (plain) => ss.encryptString(plain.toString('base64')),
    unseal: (sealed) => Buffer.from(ss.decryptString(sealed), 'base64'),
  };
}
