import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The staff unlock code that lets the kiosk quit. Only its scrypt hash is kept (in the shell
 * config written at provisioning, see shell-config.ts), as
 * `scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>`.
 *
 * The hash sits on the candidate's computer, so a short code could be brute-forced offline:
 * codes must be at least MIN_QUIT_CODE_LENGTH characters (long random codes, not PINs).
 */
export const MIN_QUIT_CODE_LENGTH = 10;
const KEY_LEN = 32;
const DEFAULT_LOG_N = 15;

const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

interface ParsedHash {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(code: string, salt: Buffer, logN: number, r: number, p: number, keyLen: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(code.normalize('NFC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Parses a stored hash; null when it is not one this code wrote (or has absurd parameters). */
export function parseQuitCodeHash(stored: string): ParsedHash | null {
  const m = FORMAT.exec(stored.trim());
  if (!m) return null;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 14 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(m[4]!, 'base64url');
  const hash = Buffer.from(m[5]!, 'base64url');
  if (salt.length < 16 || hash.length < 16) return null;
  return { logN, r, p, salt, hash };
}

/** Makes the stored form of a new quit code (used by the provisioning CLI and by tests). */
export async function hashQuitCode(code: string, logN = DEFAULT_LOG_N): Promise<string> {
  if ([...code].length < MIN_QUIT_CODE_LENGTH) throw new Error(`the quit code must be at least ${MIN_QUIT_CODE_LENGTH} characters long`);
  const salt = randomBytes(16);
  const hash = await derive(code, salt, logN, 8, 1, KEY_LEN);
  return `scrypt$${logN}$8$1$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** true when `code` matches the stored hash (constant-time comparison of the derived keys). */
export async function verifyQuitCode(code: string, stored: string): Promise<boolean> {
  const parsed = parseQuitCodeHash(stored);
  if (!parsed || typeof code !== 'string' || code.length === 0 || code.length > 256) return false;
  const got = await derive(code, parsed.salt, parsed.logN, parsed.r, parsed.p, parsed.hash.length);
  return got.length === parsed.hash.length && timingSafeEqual(got, parsed.hash);
}

export interface QuitLimiterOptions {
  /** Wrong codes allowed before a wait is imposed. Default 5. */
  freeAttempts?: number;
  /** First wait after the free attempts, doubled with each further wrong code. Default 30 s. */
  baseLockMs?: number;
  /** Longest wait. Default 15 min. */
  maxLockMs?: number;
}

/**
 * Rate limit for quit attempts: a few wrong codes are free, then each wrong code imposes a wait
 * that doubles (30 s, 1 min, 2 min ... up to 15 min). While waiting, every attempt is refused
 * without even checking the code. A right code resets it. The clock is passed in.
 */
export class QuitAttemptLimiter {
  private failures = 0;
  private lockedUntil = 0;
  private readonly free: number;
  private readonly base: number;
  private readonly max: number;

  constructor(o: QuitLimiterOptions = {}) {
    this.free = o.freeAttempts ?? 5;
    this.base = o.baseLockMs ?? 30_000;
    this.max = o.maxLockMs ?? 15 * 60_000;
  }

  /** 0 when an attempt may be made now, else the ms to wait. */
  retryAfterMs(now: number): number {
    return Math.max(0, this.lockedUntil - now);
  }

  recordFailure(now: number): void {
    this.failures += 1;
    const over = this.failures - this.free;
    if (over >= 0) this.lockedUntil = now + Math.min(this.max, this.base * 2 ** over);
  }

  recordSuccess(): void {
    this.failures = 0;
    this.lockedUntil = 0;
  }
}
