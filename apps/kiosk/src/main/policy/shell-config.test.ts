import { describe, expect, it } from 'vitest';
import { hashQuitCode } from './quit-code.ts';
import { loadShellConfig, shellConfigPath, SHELL_CONFIG_ENV, systemConfigPath } from './shell-config.ts';

const files = (m: Record<string, string>) => (p: string) => {
  if (!(p in m)) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  return m[p]!;
};

describe('where the provisioned kiosk config lives', () => {
  it('is a machine-wide, admin-only folder per OS', () => {
    expect(systemConfigPath('win32', { ProgramData: 'D:\\PD' })).toBe('D:\\PD\\Invigil\\kiosk.json');
    expect(systemConfigPath('darwin', {})).toBe('/Library/Application Support/Invigil/kiosk.json');
    expect(systemConfigPath('linux', {})).toBe('/etc/invigil/kiosk.json');
  });

  it('honours INVIGIL_KIOSK_CONFIG only in an unpackaged (development/test) run', () => {
    const env = { [SHELL_CONFIG_ENV]: '/tmp/mine.json' };
    expect(shellConfigPath({ isPackaged: false, platform: 'linux', env })).toBe('/tmp/mine.json');
    expect(shellConfigPath({ isPackaged: true, platform: 'linux', env })).toBe('/etc/invigil/kiosk.json');
  });
});

describe('loadShellConfig', () => {
  it('reads a valid config', async () => {
    const quitCodeHash = await hashQuitCode('a-long-staff-code', 14);
    const r = loadShellConfig('/c.json', files({ '/c.json': JSON.stringify({ v: 1, quitCodeHash, serverUrl: 'http://exam-server:8080' }) }));
    expect(r).toEqual({ ok: true, path: '/c.json', config: { v: 1, quitCodeHash, serverUrl: 'http://exam-server:8080' } });
  });

  it('takes a pinned server certificate (SHA-256 in hex, colons allowed) and refuses anything else', async () => {
    const quitCodeHash = await hashQuitCode('a-long-staff-code', 14);
    const pin = Array.from({ length: 32 }, () => 'AB').join(':');
    const ok = loadShellConfig('/c.json', files({ '/c.json': JSON.stringify({ v: 1, quitCodeHash, serverUrl: 'https://exam-server:8443', serverCertSha256: pin }) }));
    expect(ok).toMatchObject({ ok: true, config: { serverCertSha256: pin } });
    const bad = loadShellConfig('/c.json', files({ '/c.json': JSON.stringify({ v: 1, quitCodeHash, serverCertSha256: 'sha1:AB:CD' }) }));
    expect(bad).toMatchObject({ ok: false, problem: expect.stringMatching(/serverCertSha256: a SHA-256 fingerprint/) });
  });

  it('says what is wrong: missing file, bad JSON, missing or plain-text code, unknown keys', () => {
    expect(loadShellConfig('/none.json', files({}))).toMatchObject({ ok: false, problem: 'no kiosk configuration at /none.json' });
    expect(loadShellConfig('/c.json', files({ '/c.json': '{ v: 1' }))).toMatchObject({ ok: false, problem: expect.stringMatching(/not valid JSON/) });
    expect(loadShellConfig('/c.json', files({ '/c.json': '{"v":1}' }))).toMatchObject({ ok: false, problem: expect.stringMatching(/quitCodeHash/) });
    expect(loadShellConfig('/c.json', files({ '/c.json': '{"v":1,"quitCodeHash":"letmeout123"}' }))).toMatchObject({ ok: false, problem: expect.stringMatching(/not a quit code hash/) });
    expect(loadShellConfig('/c.json', files({ '/c.json': '{"v":1,"quitCodeHash":"x","devTools":true}' }))).toMatchObject({ ok: false, problem: expect.stringMatching(/devTools|Unrecognized/i) });
  });

  it('takes the server’s offline signing key (43 base64url characters) and refuses anything else', async () => {
    const quitCodeHash = await hashQuitCode('a-long-staff-code', 14);
    const serverPublicKey = 'A'.repeat(42) + '_';
    const ok = loadShellConfig('/c.json', files({ '/c.json': JSON.stringify({ v: 1, quitCodeHash, serverPublicKey }) }));
    expect(ok).toMatchObject({ ok: true, config: { serverPublicKey } });
    const bad = loadShellConfig('/c.json', files({ '/c.json': JSON.stringify({ v: 1, quitCodeHash, serverPublicKey: 'not a key' }) }));
    expect(bad).toMatchObject({ ok: false, problem: expect.stringMatching(/serverPublicKey: the signingPublicKey of GET \/api\/v1\/offline\/keys/) });
  });
});
