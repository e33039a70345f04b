import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, NetworkError, normalizeFingerprint } from './api-client.ts';
import { describeNetworkError } from './kiosk-config.ts';

// Issue G 17: the kiosk can pin the exam server's certificate (kiosk.json serverCertSha256), a
// centre's self-signed one included. A real server serving HTTPS with a certificate made here.
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!haveOpenssl) console.warn('SKIPPED: the certificate-pinning tests make a certificate with openssl, which is not installed');

function certificate(): { cert: string; key: string; sha256: string } {
  const dir = mkdtempSync(join(tmpdir(), 'invigil-pin-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=invigil.test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key, sha256: new X509Certificate(readFileSync(cert)).fingerprint256 };
}

describe.runIf(haveOpenssl)('the agent pinned to the server certificate', () => {
  let server: SpawnedServer;
  let c: ReturnType<typeof certificate>;
  beforeAll(async () => {
    c = certificate();
    server = await spawnServer({ TLS_CERT_FILE: c.cert, TLS_KEY_FILE: c.key });
  });
  afterAll(async () => {
    await server?.kill();
  });

  const client = (pin?: string, url = server.url) => new ApiClient({ serverUrl: url, timeoutMs: 5_000, ...(pin ? { pinnedCertSha256: pin } : {}) });

  it('talks to the server presenting the pinned (self-signed) certificate, in either spelling of the fingerprint', async () => {
    for (const pin of [c.sha256, c.sha256.replaceAll(':', '').toLowerCase()]) {
      const api = client(pin);
      await expect(api.health()).resolves.toMatchObject({ status: 'ok' });
      await api.close();
    }
  });

  it('refuses another certificate before sending anything, and says so in words staff understand', async () => {
    const other = certificate();
    const api = client(other.sha256);
    const err = await api.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(describeNetworkError(err)).toMatch(/not the one this kiosk is pinned to/);
    await api.close();
  });

  it('without a pin, a self-signed certificate is refused as usual (no CA vouches for it)', async () => {
    const api = client();
    await expect(api.health()).rejects.toBeInstanceOf(NetworkError);
    await api.close();
  });

  it('a pinned kiosk speaks only https; a malformed pin is refused at once', async () => {
    const api = client(c.sha256, server.url.replace('https://', 'http://'));
    await expect(api.health()).rejects.toThrow(/speaks only https/);
    await api.close();
    expect(() => client('not-a-fingerprint')).toThrow(/SHA-256/);
    expect(normalizeFingerprint('AB'.repeat(32))).toBe('ab'.repeat(32));
  });
});
