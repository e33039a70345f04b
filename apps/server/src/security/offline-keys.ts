import { createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, createCipheriv, createDecipheriv, randomBytes, sign, type KeyObject } from 'node:crypto';
import { crockford, groupCode, LONG_CODE_SYMBOLS, offlineResponseSigningString, SHORT_CODE_SYMBOLS, type SealedBox } from '@invigil/contract';

/** PKCS#8 DER prefixes of a raw 32-byte private key (RFC 8410). */
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');

const derive = (secret: Buffer, label: string) => createHmac('sha256', secret).update(label).digest();
const rawPublic = (k: KeyObject) => k.export({ format: 'jwk' }).x!;

/**
 * The server's offline keys, derived from the server secret (secret.key / SECRET_KEY_FILE), so every
 * instance of a cluster has the same ones and nothing new needs a backup:
 * - an Ed25519 signing key (long codes, the offline-key answers the kiosk checks with the public
 *   key it was provisioned with);
 * - an X25519 key kiosks encrypt offline bundles to;
 * - per device, a 256-bit offline key = HMAC(secret, device public key): the kiosk receives it
 *   encrypted (to a one-off X25519 key of its own) and signed, and short codes are MACs under it.
 */
export class OfflineKeys {
  readonly signingPublicKey: string;
  readonly encryptionPublicKey: string;
  readonly keyId: string;
  private readonly signing: KeyObject;
  private readonly encryption: KeyObject;

  constructor(private readonly secret: Buffer) {
    this.signing = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, derive(secret, 'invigil-offline-signing/v1')]), format: 'der', type: 'pkcs8' });
    this.encryption = createPrivateKey({ key: Buffer.concat([X25519_PKCS8, derive(secret, 'invigil-offline-encryption/v1')]), format: 'der', type: 'pkcs8' });
    this.signingPublicKey = rawPublic(createPublicKey(this.signing));
    this.encryptionPublicKey = rawPublic(createPublicKey(this.encryption));
    this.keyId = createHash('sha256').update(this.signingPublicKey).digest('base64url').slice(0, 16);
  }

  sign(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.signing).toString('base64url');
  }

  deviceKey(devicePublicKey: string): Buffer {
    return createHmac('sha256', this.secret).update(`invigil-offline-device/v1:${devicePublicKey}`).digest();
  }

  /** The two answers to a challenge: the short MAC code and the long signature code (both grouped). */
  answer(challenge: string, devicePublicKey: string): { code: string; longCode: string } {
    const msg = offlineResponseSigningString(challenge, devicePublicKey);
    const mac = createHmac('sha256', this.deviceKey(devicePublicKey)).update(msg).digest();
    const sig = sign(null, Buffer.from(msg, 'utf8'), this.signing);
    return { code: groupCode(crockford(mac, SHORT_CODE_SYMBOLS)), longCode: groupCode(crockford(sig, LONG_CODE_SYMBOLS)) };
  }

  /** Opens a box sealed to the server's encryption key; null when it cannot be (damaged, changed, for another server). */
  open(box: SealedBox, info: string): Buffer | null {
    try {
      return openBox(this.encryption, box, info);
    } catch {
      return null;
    }
  }
}

/** First 10 bits of SHA-256 of the device public key (in the challenge, to catch the wrong seat). */
export function deviceTag(devicePublicKey: string): number {
  const h = createHash('sha256').update(devicePublicKey).digest();
  return (h[0]! << 2) | (h[1]! >> 6);
}

function boxKey(shared: Buffer, epk: string, recipient: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.from(`${epk}:${recipient}`), Buffer.from(info), 32));
}

/** X25519 (ephemeral) + HKDF-SHA256 + AES-256-GCM to the recipient's raw public key. */
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

function openBox(privateKey: KeyObject, box: SealedBox, info: string): Buffer {
  const epk = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: box.epk }, format: 'jwk' });
  const key = boxKey(diffieHellman({ privateKey, publicKey: epk }), box.epk, rawPublic(createPublicKey(privateKey)), info);
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64url'));
  d.setAuthTag(Buffer.from(box.tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(box.ct, 'base64url')), d.final()]);
}
