import { crockford, fromCrockford, groupCode, normalizeCode, parseChallenge, encodeChallenge } from '@invigil/contract';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OfflineKeys, sealBox } from './offline-keys.ts';

describe('offline keys', () => {
  it('are derived from the server secret: two instances with the same secret.key have the same keys and give the same codes; another secret gives others', () => {
    const secret = randomBytes(32);
    const a = new OfflineKeys(secret);
    const b = new OfflineKeys(Buffer.from(secret));
    const other = new OfflineKeys(randomBytes(32));
    expect(b.signingPublicKey).toBe(a.signingPublicKey);
    expect(b.encryptionPublicKey).toBe(a.encryptionPublicKey);
    expect(b.keyId).toBe(a.keyId);
    expect(other.signingPublicKey).not.toBe(a.signingPublicKey);
    const device = 'd'.repeat(43);
    expect(b.deviceKey(device).equals(a.deviceKey(device))).toBe(true);
    expect(a.deviceKey('e'.repeat(43)).equals(a.deviceKey(device))).toBe(false);
    const ch = encodeChallenge({ action: 'quit', deviceTag: 5, minute: 77, nonce: 'ABCDEFGHJ' });
    expect(b.answer(ch, device)).toEqual(a.answer(ch, device));
    expect(other.answer(ch, device).code).not.toBe(a.answer(ch, device).code);
  });

  it('open only what was sealed to them, unchanged', () => {
    const k = new OfflineKeys(randomBytes(32));
    const box = sealBox(k.encryptionPublicKey, Buffer.from('the answers'), 'info-1');
    expect(k.open(box, 'info-1')?.toString()).toBe('the answers');
    expect(k.open(box, 'info-2')).toBeNull();
    expect(k.open({ ...box, ct: box.ct.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, 'info-1')).toBeNull();
    expect(new OfflineKeys(randomBytes(32)).open(box, 'info-1')).toBeNull();
  });
});

describe('challenge text', () => {
  it('round-trips, forgives case, spaces and look-alikes, and catches any one mistyped character', () => {
    const ch = encodeChallenge({ action: 'continue', deviceTag: 1023, minute: 1000, nonce: 'Z0Y1X2W3V' });
    expect(ch).toHaveLength(15);
    expect(parseChallenge(groupCode(ch).toLowerCase())).toMatchObject({ ok: true, challenge: ch, parts: { action: 'continue', deviceTag: 1023, minute: 1000, nonce: 'Z0Y1X2W3V' } });
    expect(normalizeCode('o0-Il 1')).toBe('00111');
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    for (let i = 0; i < ch.length; i++) {
      for (const c of alphabet) {
        if (c === ch[i]) continue;
        const typo = ch.slice(0, i) + c + ch.slice(i + 1);
        expect(parseChallenge(typo).ok, `${typo} (position ${i})`).toBe(false);
      }
    }
  });

  it('bytes in base 32 and back', () => {
    const bytes = randomBytes(64);
    const text = crockford(bytes, 103);
    expect(text).toHaveLength(103);
    expect(Buffer.from(fromCrockford(text, 64)!).equals(bytes)).toBe(true);
    expect(fromCrockford('U', 1)).toBeNull();
  });
});
