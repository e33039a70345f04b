import { randomBytes } from 'node:crypto';

// Crockford base32: no I, L, O, U — nothing to mishear when a proctor reads it out.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A one-time resume code: 130 bits from the CSPRNG as 26 base32 symbols, in groups of four. */
export function newResumeCode(): string {
  const bytes = randomBytes(17);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out += ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return out.match(/.{1,4}/g)!.join('-');
}

/** What a person typed, in canonical form: case, dashes and spaces ignored; O→0, I/L→1. */
export function normalizeResumeCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}
