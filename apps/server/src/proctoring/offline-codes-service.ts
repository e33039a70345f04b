import {
  CHALLENGE_CLOCK_SLACK_MINUTES,
  CHALLENGE_TTL_MS,
  offlineKeyAnswerSigningString,
  offlineKeyRequestSigningString,
  parseChallenge,
  type OfflineCodeResponse,
  type OfflineDeviceKeyResponse,
  type OfflineKeysResponse,
} from '@invigil/contract';
import { isFinal } from '@invigil/core';
import type { Database } from '../ports/database.ts';
import { conflict, forbidden, invalid } from '../ports/errors.ts';
import type { CandidateRef, Principal } from '../ports/types.ts';
import { auditEntry } from '../exam-sessions/audit-entry.ts';
import type { SessionReader } from '../exam-sessions/session-reader.ts';
import type { DeviceKeyVerifier } from '../security/device-keys.ts';
import { deviceTag, sealBox, type OfflineKeys } from '../security/offline-keys.ts';
import type { ActionsService } from './actions-service.ts';
import type { RoomService } from './room-service.ts';

const iso = (t: number) => new Date(t).toISOString();
/** The info string of the box that carries a device's offline key. */
export const DEVICE_KEY_BOX_INFO = 'invigil-offline-device-key/v1';

export interface OfflineCodesDeps {
  db: Database;
  now: () => number;
  keys: OfflineKeys;
  room: RoomService;
  actions: ActionsService;
  reader: SessionReader;
  verifier: DeviceKeyVerifier;
}

/**
 * Offline staff codes (README "Offline staff codes"). A kiosk that cannot reach the server shows a
 * challenge; a proctor of that seat's room types it into the console and reads back the answer,
 * which the kiosk checks with what it holds (its offline key, or the server's public key).
 */
export class OfflineCodesService {
  constructor(private readonly d: OfflineCodesDeps) {}

  publicKeys(): OfflineKeysResponse {
    return { keyId: this.d.keys.keyId, signingPublicKey: this.d.keys.signingPublicKey, encryptionPublicKey: this.d.keys.encryptionPublicKey };
  }

  /**
   * The kiosk of a device-bound attempt asks for its offline key (a request signed with its device
   * key): answered sealed to the one-off X25519 key it sent, and signed with the server's key.
   */
  async deviceKey(who: CandidateRef, attemptId: string, body: { boxPublicKey: string; signature: string }): Promise<OfflineDeviceKeyResponse> {
    const rec = await this.d.reader.mustBeMine(who, attemptId);
    if (!rec.devicePublicKey) throw conflict('DEVICE_MISMATCH', 'this session is not bound to a device key');
    if (!this.d.verifier.verify(rec.devicePublicKey, offlineKeyRequestSigningString(attemptId, body.boxPublicKey), body.signature)) {
      throw forbidden('the request is not signed by the device this session is bound to', 'DEVICE_MISMATCH');
    }
    const k = this.d.keys;
    const sealed = sealBox(body.boxPublicKey, k.deviceKey(rec.devicePublicKey), DEVICE_KEY_BOX_INFO);
    const signature = k.sign(offlineKeyAnswerSigningString({ devicePublicKey: rec.devicePublicKey, boxPublicKey: body.boxPublicKey, keyId: k.keyId, encryptionPublicKey: k.encryptionPublicKey, sealed }));
    return { ...this.publicKeys(), sealed, signature };
  }

  /** A proctor answers the challenge of the kiosk of this attempt (their scope; audited). */
  async answer(p: Principal, attemptId: string, body: { challenge: string; reason?: string }, ip: string): Promise<OfflineCodeResponse> {
    const rec = await this.d.room.visible(p, attemptId);
    const parsed = parseChallenge(body.challenge);
    if (!parsed.ok) throw invalid('INVALID_CHALLENGE', parsed.message);
    if (!rec.devicePublicKey) throw conflict('DEVICE_MISMATCH', 'this session is not bound to a kiosk device key: it has no offline codes');
    if (parsed.parts.deviceTag !== deviceTag(rec.devicePublicKey)) {
      throw invalid('INVALID_CHALLENGE', 'this challenge comes from another kiosk than the one this candidate’s session is bound to: check the seat');
    }
    const now = this.d.now();
    const nowMinute = Math.floor(now / 60_000);
    const diff = (((nowMinute - parsed.parts.minute) % 1024) + 1024) % 1024;
    const ago = diff > 512 ? diff - 1024 : diff;
    if (Math.abs(ago) > CHALLENGE_CLOCK_SLACK_MINUTES) {
      throw invalid('INVALID_CHALLENGE', 'this challenge is too old (or the kiosk clock is far off): ask the kiosk for a new one', { minutesAgo: ago });
    }
    if (parsed.parts.action === 'continue' && isFinal(rec.state)) throw conflict('SESSION_FINISHED', `the session is ${rec.state.status}: there is nothing to continue`);
    const { code, longCode } = this.d.keys.answer(parsed.challenge, rec.devicePublicKey);
    const issuedMinute = nowMinute - ago;
    const validUntil = issuedMinute * 60_000 + CHALLENGE_TTL_MS + 60_000;
    await this.d.db.repos.audit.append([
      auditEntry({ type: 'staff', id: p.userId, ip, reason: body.reason ?? null }, attemptId, 'offline_code.issued', now, { action: parsed.parts.action, challenge: parsed.challenge, nonce: parsed.parts.nonce }),
    ]);
    // The proctor decided the candidate may go on: an unlock code lifts the server's lock too (audited as
    // a staff unlock), so the kiosk is not locked again when its network returns.
    let unlockedOnServer = false;
    if (parsed.parts.action === 'unlock' && rec.state.isLocked && !isFinal(rec.state)) {
      await this.d.actions.act(p, attemptId, { action: 'unlock', reason: body.reason && body.reason.length >= 3 ? body.reason : 'offline unlock code' }, ip);
      unlockedOnServer = true;
    }
    return { attemptId, action: parsed.parts.action, challenge: parsed.challenge, code, longCode, validUntil: iso(validUntil), unlockedOnServer };
  }
}
