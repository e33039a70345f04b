import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * Verifies Ed25519 signatures made by kiosk device keys. Parsed keys are cached
 * (bounded) because every heartbeat carries a signature.
 */
export class DeviceKeyVerifier {
  private readonly cache = new Map<string, KeyObject>();
  constructor(private readonly maxCached = 50_000) {}

  private key(publicKey: string): KeyObject | null {
    const hit = this.cache.get(publicKey);
    if (hit) return hit;
    try {
      const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
      if (this.cache.size >= this.maxCached) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(publicKey, key);
      return key;
    } catch {
      return null;
    }
  }

  /**
   * Like `verify`, but the Ed25519 check runs on libuv's thread pool, so the event loop keeps
   * serving other requests meanwhile (heartbeats are the hot path: one signature each).
   */
  verifyAsync(publicKey: string, message: string, signature: string | undefined): Promise<boolean> {
    if (!signature) return Promise.resolve(false);
    const key = this.key(publicKey);
    if (!key) return Promise.resolve(false);
    const sig = Buffer.from(signature, 'base64url');
    if (sig.length !== 64) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        verify(null, Buffer.from(message, 'utf8'), key, sig, (err, ok) => resolve(!err && ok));
      } catch {
        resolve(false);
      }
    });
  }

  /** True only for a well-formed signature by `publicKey` over exactly `message`. */
  verify(publicKey: string, message: string, signature: string | undefined): boolean {
    if (!signature) return false;
    const key = this.key(publicKey);
    if (!key) return false;
    const sig = Buffer.from(signature, 'base64url');
    if (sig.length !== 64) return false;
    try {
      return verify(null, Buffer.from(message, 'utf8'), key, sig);
    } catch {
      return false;
    }
  }
}

/** Whether a base64url string decodes to a valid Ed25519 public key. */
export function isValidPublicKey(publicKey: string): boolean {
  return new DeviceKeyVerifier(1)['key'](publicKey) !== null;
}
