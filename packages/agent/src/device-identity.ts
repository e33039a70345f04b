import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from './atomic-file.ts';
import type { SecretStore } from './ports.ts';

export const DEVICE_KEY_FILE = 'device-key.sealed';

/** The kiosk's Ed25519 device identity (PROTOCOL.md "Device identity"). */
export class DeviceIdentity {
  /** base64url (no padding) of the 32 raw public-key bytes: what `devicePublicKey` carries. */
  readonly publicKey: string;

  private constructor(private readonly privateKey: KeyObject) {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    if (!jwk.x) throw new Error('not an Ed25519 key');
    this.publicKey = jwk.x;
  }

  /** base64url Ed25519 signature over the UTF-8 message. */
  sign(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.privateKey).toString('base64url');
  }

  /**
   * Loads the key pair from `dataDir`, or creates it on first run. The private key is stored
   * only sealed by the SecretStore (PKCS#8 DER inside the sealed blob).
   */
  static async loadOrCreate(dataDir: string, secrets: SecretStore): Promise<{ identity: DeviceIdentity; created: boolean }> {
    const path = join(dataDir, DEVICE_KEY_FILE);
    const sealed = await readIfExists(path);
    if (sealed) {
      const der = secrets.unseal(sealed);
      return { identity: new DeviceIdentity(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })), created: false };
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    await writeFileAtomic(path, secrets.seal(der));
    return { identity: new DeviceIdentity(privateKey), created: true };
  }
}
