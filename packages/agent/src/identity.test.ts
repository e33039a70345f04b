import { verify, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeatSigningString } from '@invigil/contract';
import { describe, expect, it } from 'vitest';
import { DEVICE_KEY_FILE, DeviceIdentity } from './device-identity.ts';
import { FileSecretStore } from './file-secret-store.ts';
import { deviceFingerprint, fingerprintOf } from './fingerprint.ts';
import { fakePlatform } from './testing/fake-platform.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'invigil-id-'));

describe('device identity', () => {
  it('creates an Ed25519 key on first run and loads the same one afterwards', async () => {
    const dir = await tmp();
    const secrets = new FileSecretStore(join(await tmp(), 'k'));
    const a = await DeviceIdentity.loadOrCreate(dir, secrets);
    const b = await DeviceIdentity.loadOrCreate(dir, secrets);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.identity.publicKey).toBe(a.identity.publicKey);
    expect(a.identity.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs in the protocol format (base64url over the UTF-8 string)', async () => {
    const { identity } = await DeviceIdentity.loadOrCreate(await tmp(), new FileSecretStore(join(await tmp(), 'k')));
    const msg = heartbeatSigningString('att-1', 7);
    const sig = identity.sign(msg);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: identity.publicKey }, format: 'jwk' });
    expect(verify(null, Buffer.from(msg), pub, Buffer.from(sig, 'base64url'))).toBe(true);
  });

  it('keeps the private key only sealed: useless without the secret store', async () => {
    const dir = await tmp();
    const { identity } = await DeviceIdentity.loadOrCreate(dir, new FileSecretStore(join(await tmp(), 'k')));
    const sealed = await readFile(join(dir, DEVICE_KEY_FILE));
    expect(sealed.toString('latin1')).not.toContain('PRIVATE KEY');
    expect(await readdir(dir)).toEqual([DEVICE_KEY_FILE]);
    await expect(DeviceIdentity.loadOrCreate(dir, new FileSecretStore(join(await tmp(), 'other-key')))).rejects.toThrow();
    expect(identity.publicKey).toBeTruthy();
  });
});

describe('device fingerprint', () => {
  it('is an app-specific HMAC: stable, and the machine id never appears in it', async () => {
    const dir = await tmp();
    const p = fakePlatform({ id: 'abcdef0123456789abcdef0123456789' });
    const a = await deviceFingerprint(p, dir);
    const b = await deviceFingerprint(p, dir);
    expect(a).toEqual(b);
    expect(a.source).toBe('machine-id');
    expect(a.value).toMatch(/^v1\.[A-Za-z0-9_-]{43}$/);
    expect(a.value).not.toContain('abcdef0123456789');
    const { createHash } = await import('node:crypto');
    // not the plain hash other software derives from the same id
    expect(a.value).not.toContain(createHash('sha256').update('abcdef0123456789abcdef0123456789').digest('base64url'));
  });

  it('changes with the hardware facts and with the machine', () => {
    const hw = fakePlatform().hardware();
    expect(fingerprintOf('m1', hw)).not.toBe(fingerprintOf('m2', hw));
    expect(fingerprintOf('m1', hw)).not.toBe(fingerprintOf('m1', { ...hw, cpuCount: hw.cpuCount + 1 }));
  });

  it('falls back to a persistent install id where the OS has no machine id', async () => {
    const dir = await tmp();
    const p = fakePlatform({ id: null });
    const a = await deviceFingerprint(p, dir);
    const b = await deviceFingerprint(p, dir);
    expect(a.source).toBe('install-id');
    expect(b.value).toBe(a.value);
  });
});
