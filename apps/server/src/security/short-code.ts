import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: a code read off a slip or a board is typed right. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** `length` characters of the unambiguous alphabet from the CSPRNG. */
export function newShortCode(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** A code as typed (any case, spaces or dashes between groups) in its stored form. */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase();
}

/** Exam codes: 6 characters (31⁶ ≈ 887 million). */
export const EXAM_CODE_LENGTH = 6;
const EXAM_CODE_SHAPE = new RegExp(`^[${CODE_ALPHABET}]{${EXAM_CODE_LENGTH}}$`);
export const isExamCodeShape = (s: string): boolean => EXAM_CODE_SHAPE.test(normalizeCode(s));

/**
 * Generated access codes: 10 characters (≈ 49.5 bits; guesses are rate-limited per candidate and
 * address), shown as two groups of five. Stored as the keyed hash of the normalized form, so the
 * candidate may type it in any case, with or without the dash.
 */
export const ACCESS_CODE_LENGTH = 10;
export const newAccessCode = (): string => {
  const c = newShortCode(ACCESS_CODE_LENGTH);
  return `${c.slice(0, 5)}-${c.slice(5)}`;
};
