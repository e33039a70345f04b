import {
  CHALLENGE_TTL_MS,
  crockford,
  DevicePublicKey,
  encodeChallenge,
  fromCrockford,
  groupCode,
  LONG_CODE_SYMBOLS,
  normalizeCode,
  OfflineAction,
  offlineKeyAnswerSigningString,
  offlineResponseSigningString,
  SHORT_CODE_SYMBOLS,
  type OfflineDeviceKeyResponse,
} from '@invigil/contract';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentError } from './agent-error.ts';
import { deviceTag, hmac, sameText, verifyEd25519 } from './offline-crypto.ts';
import type { SecretStore } from './ports.ts';
import { SealedJsonFile } from './sealed-file.ts';

export const OFFLINE_FILE = 'offline.sealed';
/** The info string of the box that carries this device's offline key (as the server's). */
export const DEVICE_KEY_BOX_INFO = 'invigil-offline-device-key/v1';
/** Wrong answers to one challenge before it is void (a new challenge is needed). */
export const MAX_WRONG_CODES = 5;
/** Used nonces kept (each challenge's nonce has 45 random bits; this only guards a replay of a recent one). */
const USED_KEPT = 1_000;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const Pending = z.object({ action: OfflineAction, challenge: z.string(), nonce: z.string(), issuedAt: z.number(), expiresAt: z.number(), wrong: z.number().int() });
const Doc = z.object({
  v: z.literal(1),
  /** From the server (signed with the key this kiosk was provisioned with), for this device key. */
  device: z.object({ devicePublicKey: DevicePublicKey, keyId: z.string(), deviceKey: z.string(), encryptionPublicKey: DevicePublicKey }).nullable(),
  pending: z.array(Pending),
  used: z.array(z.object({ nonce: z.string(), action: OfflineAction, at: z.number() })),
});
type Doc = z.infer<typeof Doc>;

export interface OfflineCodesOptions {
  /** The server's Ed25519 offline signing key (kiosk.json `serverPublicKey`); null: no offline codes. */
  serverPublicKey: string | null;
  devicePublicKey: string;
  /** Local clock (expiry). */
  now: () => number;
  /** The server's clock as best known (the minute in the challenge). */
  serverNow: () => number;
}

/**
 * Offline staff codes on the kiosk (README "Offline staff codes"): challenges it issued (one open
 * per action, 10 minutes, 5 wrong answers), the nonces already used (one-time), and the device's
 * offline key, all in `offline.sealed` (sealed by the secret store, replaced atomically with fsync,
 * so a restart remembers what was used).
 */
export class OfflineCodes {
  private constructor(
    private readonly file: SealedJsonFile<typeof Doc>,
    private doc: Doc,
    private readonly o: OfflineCodesOptions,
  ) {}

  static async open(dataDir: string, store: SecretStore, o: OfflineCodesOptions): Promise<OfflineCodes> {
    const file = new SealedJsonFile(join(dataDir, OFFLINE_FILE), store, Doc);
    let doc: Doc | null = null;
    try {
      doc = await file.read();
    } catch {
      doc = null; // unreadable: start afresh (nothing in it outlives a new challenge)
    }
    doc ??= { v: 1, device: null, pending: [], used: [] };
    // The offline key belongs to one device key (and server): drop it if either changed.
    if (doc.device && doc.device.devicePublicKey !== o.devicePublicKey) doc.device = null;
    return new OfflineCodes(file, doc, o);
  }

  /** This kiosk can check offline codes (it was provisioned with the server's key). */
  get codesAvailable(): boolean {
    return this.o.serverPublicKey !== null;
  }

  /** The server's key for offline bundles, once the server gave it (signed). */
  get bundleKey(): { keyId: string; encryptionPublicKey: string } | null {
    return this.doc.device ? { keyId: this.doc.device.keyId, encryptionPublicKey: this.doc.device.encryptionPublicKey } : null;
  }

  get hasDeviceKey(): boolean {
    return this.doc.device !== null;
  }

  /** Takes the server's answer to `POST /offline-key`: only when signed by the provisioned key. */
  async acceptDeviceKey(answer: OfflineDeviceKeyResponse, boxPublicKey: string, open: (box: OfflineDeviceKeyResponse['sealed']) => Buffer): Promise<void> {
    const spk = this.o.serverPublicKey;
    if (!spk) throw new AgentError('NOT_CONFIGURED', 'this kiosk was not provisioned with the server’s public key');
    if (answer.signingPublicKey !== spk) throw new AgentError('DEVICE_MISMATCH', 'the server’s offline key is not the one this kiosk was provisioned with');
    const msg = offlineKeyAnswerSigningString({ devicePublicKey: this.o.devicePublicKey, boxPublicKey, keyId: answer.keyId, encryptionPublicKey: answer.encryptionPublicKey, sealed: answer.sealed });
    if (!verifyEd25519(spk, msg, Buffer.from(answer.signature, 'base64url'))) throw new AgentError('DEVICE_MISMATCH', 'the offline key answer is not signed by the server’s key');
    const key = open(answer.sealed);
    if (key.length !== 32) throw new AgentError('INTERNAL', 'the offline key has the wrong length');
    this.doc.device = { devicePublicKey: this.o.devicePublicKey, keyId: answer.keyId, deviceKey: key.toString('base64url'), encryptionPublicKey: answer.encryptionPublicKey };
    await this.save();
  }

  /** A new challenge for `action` (replacing an open one for it). */
  async challenge(action: OfflineAction): Promise<{ action: OfflineAction; challenge: string; expiresAt: number }> {
    if (!this.codesAvailable) throw new AgentError('NOT_CONFIGURED', 'Offline staff codes are not set up on this kiosk (kiosk.json has no serverPublicKey).');
    const now = this.o.now();
    const nonce = [...randomBytes(9)].map((b) => ALPHABET[b & 31]).join('');
    const challenge = encodeChallenge({ action, deviceTag: deviceTag(this.o.devicePublicKey), minute: Math.floor(this.o.serverNow() / 60_000) % 1024, nonce });
    const expiresAt = now + CHALLENGE_TTL_MS;
    this.doc.pending = [...this.doc.pending.filter((p) => p.action !== action && p.expiresAt > now), { action, challenge, nonce, issuedAt: now, expiresAt, wrong: 0 }];
    await this.save();
    return { action, challenge: groupCode(challenge), expiresAt };
  }

  /**
   * Checks the proctor's answer to this kiosk's open challenge for `action`; resolves when it is
   * right (the challenge is then spent, its nonce remembered), throws an AgentError otherwise.
   */
  async verify(action: OfflineAction, typed: string): Promise<void> {
    const now = this.o.now();
    const pending = this.doc.pending.find((p) => p.action === action);
    if (!pending) throw new AgentError('INVALID_CHALLENGE', 'There is no open challenge for this: show a new challenge and give it to the proctor.');
    if (now > pending.expiresAt || now < pending.issuedAt - 60_000) {
      await this.drop(pending);
      throw new AgentError('INVALID_CHALLENGE', 'The challenge has expired: show a new one and ask the proctor again.');
    }
    if (this.doc.used.some((u) => u.nonce === pending.nonce)) {
      await this.drop(pending);
      throw new AgentError('INVALID_CHALLENGE', 'This challenge was already used: show a new one.');
    }
    const code = normalizeCode(typed);
    const msg = offlineResponseSigningString(pending.challenge, this.o.devicePublicKey);
    let ok = false;
    if (code.length === SHORT_CODE_SYMBOLS && this.doc.device) {
      ok = sameText(crockford(hmac(Buffer.from(this.doc.device.deviceKey, 'base64url'), msg), SHORT_CODE_SYMBOLS), code);
    } else if (code.length === LONG_CODE_SYMBOLS && this.o.serverPublicKey) {
      const sig = fromCrockford(code, 64);
      ok = sig !== null && verifyEd25519(this.o.serverPublicKey, msg, sig);
    }
    if (!ok) {
      pending.wrong += 1;
      const left = MAX_WRONG_CODES - pending.wrong;
      if (left <= 0) {
        await this.drop(pending);
        throw new AgentError('INVALID_CREDENTIALS', 'Wrong code, too many times: this challenge is void. Show a new one.');
      }
      await this.save();
      const hint = code.length === SHORT_CODE_SYMBOLS && !this.doc.device ? ' This kiosk has no offline key yet: use the long code.' : '';
      throw new AgentError('INVALID_CREDENTIALS', `Wrong code (${left} ${left === 1 ? 'try' : 'tries'} left for this challenge).${hint}`);
    }
    this.doc.pending = this.doc.pending.filter((p) => p !== pending);
    this.doc.used = [...this.doc.used, { nonce: pending.nonce, action, at: now }].slice(-USED_KEPT);
    await this.save();
  }

  /** Codes used on this kiosk (for the offline bundle's record). */
  usedSince(t: number): { action: OfflineAction; at: number }[] {
    return this.doc.used.filter((u) => u.at >= t).map((u) => ({ action: u.action, at: u.at }));
  }

  private async drop(p: z.infer<typeof Pending>): Promise<void> {
    this.doc.pending = this.doc.pending.filter((x) => x !== p);
    await this.save();
  }

  private save(): Promise<void> {
    return this.file.write(this.doc);
  }
}
