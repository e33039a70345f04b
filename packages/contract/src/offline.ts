import { z } from 'zod';
import { AnswerValue } from './sessions.ts';
import { Base64Url, DevicePublicKey, DeviceSignature, Id, IsoDateTime, Slug } from './common.ts';

/**
 * Staff codes that work without the network, and the attempt carried on a USB stick when the
 * network never comes back (README "Offline staff codes" / "Offline submission").
 *
 * The kiosk shows a challenge of 15 Crockford base-32 symbols (three groups of five):
 *   [action][device tag ×2][minute ×2][nonce ×9][check]
 * action 0 quit, 1 unlock, 2 continue; the device tag is the first 10 bits of SHA-256 of the
 * device public key (so the console can say "this is another kiosk's challenge"); the minute is the
 * issue time in server minutes mod 1024 (the server refuses one more than 15 minutes off); the
 * nonce is 45 random bits; the check symbol catches a mistyped symbol.
 * The proctor's answer is either the short code (10 symbols: 50 bits of HMAC-SHA256 under the
 * device's offline key) or the long code (the server's full Ed25519 signature, 103 symbols).
 */

export const OFFLINE_ACTIONS = ['quit', 'unlock', 'continue'] as const;
export const OfflineAction = z.enum(OFFLINE_ACTIONS);
export type OfflineAction = z.infer<typeof OfflineAction>;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CHALLENGE_SYMBOLS = 15;
export const SHORT_CODE_SYMBOLS = 10;
export const LONG_CODE_SYMBOLS = 103;
/** A challenge (and its answer) is good for this long after the kiosk issued it. */
export const CHALLENGE_TTL_MS = 10 * 60_000;
/** The server answers a challenge whose minute is at most this far from its own clock. */
export const CHALLENGE_CLOCK_SLACK_MINUTES = 15;

/** Upper case, no spaces or dashes, and the look-alikes Crockford allows (O→0, I/L→1). */
export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** In groups of `size` joined by dashes, for reading aloud and typing. */
export function groupCode(code: string, size = 5): string {
  return code.match(new RegExp(`.{1,${size}}`, 'g'))?.join('-') ?? '';
}

/** The first `symbols` × 5 bits of `bytes`, most significant first, in Crockford base 32. */
export function crockford(bytes: Uint8Array, symbols = Math.ceil((bytes.length * 8) / 5)): string {
  let out = '';
  for (let i = 0; i < symbols; i++) {
    let v = 0;
    for (let b = 0; b < 5; b++) {
      const bit = i * 5 + b;
      const byte = bytes[bit >> 3] ?? 0;
      v = (v << 1) | ((byte >> (7 - (bit & 7))) & 1);
    }
    out += ALPHABET[v];
  }
  return out;
}

/** The inverse of crockford() for a whole number of bytes (trailing pad bits must be zero); null if not base 32. */
export function fromCrockford(code: string, bytes: number): Uint8Array | null {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < code.length; i++) {
    const v = ALPHABET.indexOf(code[i]!);
    if (v < 0) return null;
    for (let b = 0; b < 5; b++) {
      const bit = i * 5 + b;
      if (((v >> (4 - b)) & 1) === 0) continue;
      if (bit >= bytes * 8) return null;
      out[bit >> 3]! |= 1 << (7 - (bit & 7));
    }
  }
  return out;
}

const symbolsOf = (s: string) => [...s].map((c) => ALPHABET.indexOf(c));
const checkSymbol = (values: number[]) => ALPHABET[values.reduce((sum, v, i) => sum + v * (2 * i + 1), 0) % 32]!;

export interface ChallengeParts {
  action: OfflineAction;
  /** 10 bits */
  deviceTag: number;
  /** server minutes since the epoch, mod 1024 */
  minute: number;
  /** 9 symbols of the alphabet (45 random bits) */
  nonce: string;
}

export function encodeChallenge(p: ChallengeParts): string {
  const head = ALPHABET[OFFLINE_ACTIONS.indexOf(p.action)]! + ALPHABET[(p.deviceTag >> 5) & 31] + ALPHABET[p.deviceTag & 31] + ALPHABET[(p.minute >> 5) & 31] + ALPHABET[p.minute & 31] + p.nonce;
  return head + checkSymbol(symbolsOf(head));
}

/** A typed challenge, or why it is not one (in words for the proctor). */
export function parseChallenge(input: string): { ok: true; challenge: string; parts: ChallengeParts } | { ok: false; message: string } {
  const c = normalizeCode(input);
  if (c.length !== CHALLENGE_SYMBOLS) return { ok: false, message: `a challenge has ${CHALLENGE_SYMBOLS} characters (three groups of five); this has ${c.length}` };
  const v = symbolsOf(c);
  if (v.some((x) => x < 0)) return { ok: false, message: 'a challenge has only digits and the letters A–Z without I, L, O, U' };
  if (checkSymbol(v.slice(0, -1)) !== c.at(-1)) return { ok: false, message: 'the challenge has a typing mistake (its check character does not match): read it again from the kiosk' };
  const action = OFFLINE_ACTIONS[v[0]!];
  if (!action) return { ok: false, message: 'the challenge names no known action' };
  return { ok: true, challenge: c, parts: { action, deviceTag: (v[1]! << 5) | v[2]!, minute: (v[3]! << 5) | v[4]!, nonce: c.slice(5, 14) } };
}

/** What the server's key signs (long code) and the device key MACs (short code) for one challenge. */
export function offlineResponseSigningString(challenge: string, devicePublicKey: string): string {
  return `invigil-offline-response:v1:${challenge}:${devicePublicKey}`;
}

/** The kiosk asks for its offline key: signed with the device key. */
export function offlineKeyRequestSigningString(attemptId: string, boxPublicKey: string): string {
  return `invigil-offline-key:v1:${attemptId}:${boxPublicKey}`;
}

/** The server's answer, signed with the server's offline signing key (the kiosk has its public key from provisioning). */
export function offlineKeyAnswerSigningString(a: { devicePublicKey: string; boxPublicKey: string; keyId: string; encryptionPublicKey: string; sealed: SealedBox }): string {
  return `invigil-offline-key-answer:v1:${a.devicePublicKey}:${a.boxPublicKey}:${a.keyId}:${a.encryptionPublicKey}:${a.sealed.epk}:${a.sealed.iv}:${a.sealed.ct}:${a.sealed.tag}`;
}

/** The device signs the bundle's body (JSON text) under this prefix. */
export function offlineBundleSigningString(body: string): string {
  return `invigil-offline-bundle:v1:${body}`;
}

/** X25519 (ephemeral key `epk`) + HKDF-SHA256 + AES-256-GCM, all base64url. */
export const SealedBox = z.object({ epk: DevicePublicKey, iv: Base64Url.length(16), ct: Base64Url.max(12_000_000), tag: Base64Url.length(22) }).strict();
export type SealedBox = z.infer<typeof SealedBox>;

/** GET /offline/keys: the server's public keys (write `signingPublicKey` into the kiosk's kiosk.json). */
export const OfflineKeysResponse = z.object({
  keyId: z.string(),
  /** Ed25519, 32 raw bytes base64url: verifies the long codes and the offline-key answers. */
  signingPublicKey: DevicePublicKey,
  /** X25519, 32 raw bytes base64url: kiosks encrypt offline bundles to it. */
  encryptionPublicKey: DevicePublicKey,
});
export type OfflineKeysResponse = z.infer<typeof OfflineKeysResponse>;

export const OfflineDeviceKeyRequest = z.object({ boxPublicKey: DevicePublicKey, signature: DeviceSignature }).strict();
export const OfflineDeviceKeyResponse = OfflineKeysResponse.extend({ sealed: SealedBox, signature: DeviceSignature });
export type OfflineDeviceKeyResponse = z.infer<typeof OfflineDeviceKeyResponse>;

export const OfflineCodeRequest = z.object({ challenge: z.string().trim().min(1).max(64), reason: z.string().trim().max(500).optional() }).strict();
export const OfflineCodeResponse = z.object({
  attemptId: Id,
  action: OfflineAction,
  challenge: z.string(),
  /** 10 characters (two groups of five): what the proctor types on the kiosk. */
  code: z.string(),
  /** The full Ed25519 signature (103 characters in groups of five): for a kiosk that never received its offline key. */
  longCode: z.string(),
  /** The latest the kiosk takes it (the kiosk keeps its own, shorter, expiry too). */
  validUntil: IsoDateTime,
  /** An unlock code for a session locked on the server lifts that lock as well (a staff unlock, audited). */
  unlockedOnServer: z.boolean(),
});
export type OfflineCodeResponse = z.infer<typeof OfflineCodeResponse>;

/** The file the kiosk writes (to a USB stick): encrypted to the server's encryption key. */
export const OfflineBundleFile = z
  .object({ v: z.literal(1), kind: z.literal('invigil-offline-bundle'), keyId: z.string().max(64), box: SealedBox })
  .strict();
export type OfflineBundleFile = z.infer<typeof OfflineBundleFile>;

/** Inside the box: the body (JSON text of OfflineBundleBody) and the device's signature over it. */
export const OfflineBundleSealed = z.object({ body: z.string().max(8_000_000), signature: DeviceSignature }).strict();

export const OfflineBundleAnswer = z.object({ questionId: Slug, value: AnswerValue, clientSeq: z.number().int().positive(), at: z.number().int() }).strict();
export const OfflineBundleBody = z
  .object({
    v: z.literal(1),
    attemptId: Id,
    examId: Id,
    candidateId: z.string().max(200),
    devicePublicKey: DevicePublicKey,
    /** Device clock, epoch ms. */
    exportedAt: z.number().int(),
    /** The kiosk lost the server at (device clock), if it knew. */
    offlineSince: z.number().int().nullable(),
    /** The candidate finished: the server completes the attempt when it merges the bundle. */
    submitted: z.boolean(),
    answers: z.array(OfflineBundleAnswer).max(5_000),
    /** Integrity events the kiosk had not sent yet (recorded with the bundle). */
    events: z.array(z.record(z.string(), z.unknown())).max(500),
  })
  .strict();
export type OfflineBundleBody = z.infer<typeof OfflineBundleBody>;

/** The file's text as the kiosk wrote it (the route takes bodies up to 16 MiB, like admin imports). */
export const OfflineBundleUploadRequest = z.object({ bundle: z.string().min(1).max(12_000_000) }).strict();
export const OfflineBundleUploadResponse = z.object({
  attemptId: Id,
  candidateId: z.string(),
  /** Answers in the bundle. */
  answers: z.number().int(),
  /** Stored (newer clientSeq than the server had). */
  applied: z.number().int(),
  /** Already on the server at this clientSeq or a newer one (nothing duplicated). */
  unchanged: z.number().int(),
  /** This exact bundle had been uploaded before. */
  duplicate: z.boolean(),
  /** The bundle ended the attempt now. */
  submittedNow: z.boolean(),
  status: z.string(),
});
export type OfflineBundleUploadResponse = z.infer<typeof OfflineBundleUploadResponse>;
