import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '../testing/harness.ts';
import { peek } from '../testing/db-peek.ts';
import { adminToken, client } from './testing/kit.ts';

let s: SpawnedServer;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  s = await spawnServer();
  api = client(s, await adminToken(s));
});
afterAll(() => s.kill());

describe("a centre's time zone and locale", () => {
  it('default to UTC / en-GB, are set at create and changed by PATCH (audited), and are listed', async () => {
    const plain = await api('POST', '/admin/centers', { name: 'Plain Centre' });
    expect(plain.body).toMatchObject({ timeZone: 'UTC', locale: 'en-GB' });
    const berlin = await api('POST', '/admin/centers', { name: 'Zentrum Berlin', timeZone: 'Europe/Berlin', locale: 'de-DE' });
    expect(berlin.status).toBe(201);
    expect(berlin.body).toMatchObject({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    const moved = await api('PATCH', `/admin/centers/${plain.body.id}`, { timeZone: 'America/New_York', locale: 'en-US' });
    expect(moved.body).toMatchObject({ name: 'Plain Centre', timeZone: 'America/New_York', locale: 'en-US' });
    const list = (await api('GET', '/admin/centers')).body.centers;
    expect(list.find((c: any) => c.id === berlin.body.id)).toMatchObject({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    const audit = peek<{ detail: string }>(s.dataDir, "select detail from audit_events where action = 'center.updated' and detail like ?", `%${plain.body.id}%`);
    expect(JSON.parse(audit[0]!.detail).changes).toEqual({ timeZone: 'America/New_York', locale: 'en-US' });
  });

  it('refuses an unknown time zone or a malformed locale (400, nothing changes)', async () => {
    const c = await api('POST', '/admin/centers', { name: 'Strict Centre', timeZone: 'Europe/Vienna', locale: 'de-AT' });
    for (const body of [{ timeZone: 'Mars/Olympus' }, { timeZone: '' }, { locale: 'not a locale!' }, { locale: 'x' }]) {
      expect((await api('PATCH', `/admin/centers/${c.body.id}`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await api('POST', '/admin/centers', { name: 'Bad Zone', timeZone: 'Nowhere/Land' })).status).toBe(400);
    expect((await api('GET', `/admin/centers/${c.body.id}`)).body).toMatchObject({ timeZone: 'Europe/Vienna', locale: 'de-AT' });
  });
});
