import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '../testing/harness.ts';

const SERVER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!haveOpenssl) console.warn('SKIPPED: the TLS tests make a certificate with openssl, which is not installed');

function certificate(): { dir: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'invigil-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=invigil.test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { dir, cert, key };
}

const servers: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.kill();
});

describe.runIf(haveOpenssl)('TLS served directly', () => {
  it('TLS_CERT_FILE / TLS_KEY_FILE: HTTPS with that certificate (its fingerprint is what a kiosk pins); plain HTTP is not served', async () => {
    const c = certificate();
    const s = await spawnServer({ TLS_CERT_FILE: c.cert, TLS_KEY_FILE: c.key });
    servers.push(s);
    expect(s.url).toMatch(/^https:\/\//);
    let seen = '';
    const dispatcher = new Agent({
      connect: {
        ca: readFileSync(c.cert),
        checkServerIdentity: (_host, peer) => {
          seen = peer.fingerprint256;
          return undefined;
        },
      },
    });
    const health = await undiciFetch(`${s.url}/healthz`, { dispatcher });
    expect(health.status).toBe(200);
    expect(seen).toBe(new X509Certificate(readFileSync(c.cert)).fingerprint256);
    expect(seen.replaceAll(':', '').toLowerCase()).toBe(createHash('sha256').update(new X509Certificate(readFileSync(c.cert)).raw).digest('hex'));
    const login = await undiciFetch(`${s.api}/auth/staff/login`, { dispatcher, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: s.adminPassword }) });
    expect(login.status).toBe(200);
    await expect(fetch(s.url.replace('https://', 'http://') + '/healthz')).rejects.toThrow();
    await dispatcher.close();
  });

  it('a certificate and a key that do not belong together: one sentence, no stack trace', () => {
    const a = certificate();
    const b = certificate();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: SERVER_DIR,
      env: { ...process.env, PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'invigil-tls-data-')), TLS_CERT_FILE: a.cert, TLS_KEY_FILE: b.key, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^invigil: TLS_CERT_FILE and TLS_KEY_FILE are not a usable certificate and its key/);
  });

  it('only one of the two is a configuration error naming them', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: SERVER_DIR, env: { ...process.env, TLS_CERT_FILE: '/x.pem' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/TLS_CERT_FILE: set both TLS_CERT_FILE and TLS_KEY_FILE, or neither/);
  });
});
