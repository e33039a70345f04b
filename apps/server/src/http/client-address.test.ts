import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { call, spawnServer, type SpawnedServer } from '../testing/harness.ts';
import { clientAddress, parseProxyList, proxyTrust } from './client-address.ts';

describe('which X-Forwarded-For entry is the client', () => {
  const hops = (n: number) => proxyTrust({ TRUST_PROXY: n });
  it('none: the TCP peer, whatever the header says', () => {
    expect(clientAddress(hops(0), '203.0.113.5', '6.6.6.6')).toBe('203.0.113.5');
  });
  it('one hop (TRUST_PROXY=true): the rightmost entry, never what the client wrote to its left', () => {
    expect(clientAddress(hops(1), '127.0.0.1', '6.6.6.6, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress(hops(1), '::ffff:127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress(hops(1), '127.0.0.1', undefined)).toBe('127.0.0.1');
  });
  it('two hops: the second entry from the right; a short chain gives its leftmost', () => {
    expect(clientAddress(hops(2), '10.0.0.1', '6.6.6.6, 203.0.113.8, 10.0.0.2')).toBe('203.0.113.8');
    expect(clientAddress(hops(2), '10.0.0.1', '203.0.113.8')).toBe('203.0.113.8');
  });
  it('a list of proxies: the rightmost entry that is not one of them; an untrusted peer is the client', () => {
    const list = proxyTrust({ TRUST_PROXY: 0, TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8, fd00::/8' });
    expect(clientAddress(list, '127.0.0.1', '6.6.6.6, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    expect(clientAddress(list, '::ffff:127.0.0.1', '2001:db8::1, fd00::5')).toBe('2001:db8::1');
    expect(clientAddress(list, '198.51.100.4', '6.6.6.6')).toBe('198.51.100.4');
    expect(clientAddress(list, '127.0.0.1', '10.0.0.3, 10.0.0.2')).toBe('10.0.0.3');
  });
  it('bad settings are refused at start, naming the variable', () => {
    expect(() => parseProxyList('10.0.0.0/40')).toThrow(/prefix/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.1, proxy.local' })).toThrow(/TRUSTED_PROXIES: "proxy.local" is not an IP address/);
    expect(() => loadConfig({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({}).TRUST_PROXY).toBe(0);
  });
});

describe('behind a reverse proxy, on a real port', () => {
  let s: SpawnedServer | undefined;
  afterEach(async () => {
    await s?.kill();
    s = undefined;
  });
  const loginFrom = (xff: string, password: string) => call(`${s!.api}/auth/staff/login`, 'POST', { username: 'admin', password }, undefined, { 'x-forwarded-for': xff });
  const myAddress = async (token: string) => ((await call(`${s!.api}/sessions`, 'GET', undefined, token)).body as { isCurrent: boolean; ipAddress: string }[]).find((x) => x.isCurrent)!.ipAddress;

  it('TRUST_PROXY=true: the address the proxy appended counts; a client rotating a spoofed leftmost entry is still one address', async () => {
    s = await spawnServer({ TRUST_PROXY: 'true' });
    const ok = await loginFrom('6.6.6.6, 203.0.113.7', s.adminPassword);
    expect(ok.status).toBe(200);
    expect(await myAddress(ok.body.token)).toBe('203.0.113.7');
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await loginFrom(`10.9.9.${i}, 203.0.113.50`, 'wrong-password-1')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('TRUSTED_PROXIES: X-Forwarded-For is read only from the listed proxies', async () => {
    s = await spawnServer({ TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' });
    const viaProxies = await loginFrom('6.6.6.6, 203.0.113.9, 10.1.2.3', s.adminPassword);
    expect(await myAddress(viaProxies.body.token)).toBe('203.0.113.9');
    await s.kill();
    s = await spawnServer({ TRUSTED_PROXIES: '10.0.0.0/8' });
    const direct = await loginFrom('203.0.113.9', s.adminPassword);
    expect(await myAddress(direct.body.token)).toBe('127.0.0.1');
  });
});
