import { createCipheriv, createDecipheriv, createHash, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { SealedBox } from '@invigil/contract';

/**
 * The kiosk's half of the offline crypto (the server's is apps/server/src/security/offline-keys.ts;
 * the two must agree byte for byte): boxes are X25519 (ephemeral) + HKDF-SHA256 (salt "epk:recipient",
 * info names the use) + AES-256-GCM; keys and signatures are raw bytes in base64url.
 */
const rawPublic = (k: KeyObject) => k.export({ format: 'jwk' }).x!;

function boxKey(shared: Buffer, epk: string, recipient: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.from(`${epk}:${recipient}`), Buffer.from(info), 32));
}

export function sealBox(recipientPublicKey: string, plaintext: Buffer, info: string): SealedBox {
  const eph = generateKeyPairSync('x25519');
  const recipient = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: recipientPublicKey }, format: 'jwk' });
  const epk = rawPublic(eph.publicKey);
  const key = boxKey(diffieHellman({ privateKey: eph.privateKey, publicKey: recipient }), epk, recipientPublicKey, info);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { epk, iv: iv.toString('base64url'), ct: ct.toString('base64url'), tag: c.getAuthTag().toString('base64url') };
}

/** A one-off X25519 key pair to receive one box. */
export function boxKeyPair(): { publicKey: string; open(box: SealedBox, info: string): Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const pub = rawPublic(publicKey);
  return {
    publicKey: pub,
    open(box, info) {
      const epk = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: box.epk }, format: 'jwk' });
      const key = boxKey(diffieHellman({ privateKey, publicKey: epk }), box.epk, pub, info);
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64url'));
      d.setAuthTag(Buffer.from(box.tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(box.ct, 'base64url')), d.final()]);
    },
  };
}

/** An Ed25519 signature (raw bytes) by the raw public key (base64url) over the UTF-8 message. */
export function verifyEd25519(publicKey: string, message: string, signature: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return signature.length === 64 && verify(null, Buffer.from(message, 'utf8'), key, signature);
  } catch {
    return false;
  }
}

export function hmac(key: Buffer, message: string): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** First 10 bits of SHA-256 of the device public key (in the challenge: the console spots the wrong seat). */
export function deviceTag(devicePublicKey: string): number {
  const h = createHash('sha256').update(devicePublicKey).digest();
  return (h[0]! << 2) | (h[1]! >> 6);
}
