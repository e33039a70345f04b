import { createHmac, hash, randomBytes, scrypt as scryptCb, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';

/** A bearer secret: 32 bytes (256 bits) from the CSPRNG, base64url. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Secrets we issue are high-entropy, so a fast hash is the right tool for them. SHA-256 of the
 * UTF-8 bytes, base64url; the one-shot crypto.hash (every bearer request hashes its token) makes
 * the same digest as createHash().update().digest() without a Hash object.
 */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** Whether `secret` hashes to `storedHash`, compared in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  return constantTimeEqual(hashSecret(secret), storedHash);
}

/**
 * Access codes are chosen by people and may be short, so a plain hash could be brute-forced
 * from a stolen database. They are keyed with the server's secret (kept outside the database).
 */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
}

/**
 * The recovery token that replaces `previous` when it is used: HMAC-SHA256 under the server secret
 * of the attempt and the previous token (which starts as 256 bits from the CSPRNG). Being derived
 * rather than drawn, a recover whose answer was lost can be retried with the previous token and be
 * given the same new token again, while only hashes of tokens are ever stored.
 */
export function nextRecoveryToken(key: Buffer, attemptId: string, previous: string): string {
  return createHmac('sha256', key).update(`invigil-recovery-rotation:v1:${attemptId}:${previous}`, 'utf8').digest('base64url');
}

const scrypt = (pw: BinaryLike, salt: BinaryLike, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, opts, (e, k) => (e ? reject(e) : resolve(k))));

const SCRYPT = { N: 16_384, r: 8, p: 1, len: 64 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.len, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(86);

/** Verifies a password; with no stored hash it still spends the same time (no user-enumeration by timing). */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = (stored ?? DUMMY_HASH).split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected) && stored !== undefined;
}
