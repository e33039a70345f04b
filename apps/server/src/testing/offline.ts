/** Test helpers for offline codes and bundles (what a kiosk does, written plainly). */
import { encodeChallenge, offlineBundleSigningString, type OfflineAction } from '@invigil/contract';
import { randomBytes } from 'node:crypto';
import { BUNDLE_BOX_INFO } from '../proctoring/offline-bundle-service.ts';
import { deviceTag, sealBox } from '../security/offline-keys.ts';
import type { TestDevice } from './harness.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A challenge the kiosk bound to `devicePublicKey` would show at `now`. */
export function testChallenge(action: OfflineAction, devicePublicKey: string, now = Date.now()): string {
  const nonce = [...randomBytes(9)].map((b) => ALPHABET[b & 31]).join('');
  return encodeChallenge({ action, deviceTag: deviceTag(devicePublicKey), minute: Math.floor(now / 60_000) % 1024, nonce });
}

/** The file text of an offline bundle, encrypted to the server's key and signed by `dev`. */
export function testBundle(o: {
  keys: { keyId: string; encryptionPublicKey: string };
  dev: TestDevice;
  attemptId: string;
  examId: string;
  candidateId: string;
  answers: { questionId: string; value: unknown; clientSeq: number; at?: number }[];
  submitted?: boolean;
  /** Changes the body after signing (a tampered bundle). */
  tamper?: (body: string) => string;
}): string {
  const body = JSON.stringify({
    v: 1,
    attemptId: o.attemptId,
    examId: o.examId,
    candidateId: o.candidateId,
    devicePublicKey: o.dev.publicKey,
    exportedAt: Date.now(),
    offlineSince: null,
    submitted: o.submitted ?? false,
    answers: o.answers.map((a) => ({ at: Date.now(), ...a })),
    events: [],
  });
  const signature = o.dev.sign(offlineBundleSigningString(body));
  const sealed = JSON.stringify({ body: o.tamper ? o.tamper(body) : body, signature });
  return JSON.stringify({ v: 1, kind: 'invigil-offline-bundle', keyId: o.keys.keyId, box: sealBox(o.keys.encryptionPublicKey, Buffer.from(sealed), BUNDLE_BOX_INFO) });
}
