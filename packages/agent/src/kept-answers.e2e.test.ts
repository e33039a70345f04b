import { provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWERS_FILE, createAgent } from './agent.ts';
import { FileSecretStore } from './file-secret-store.ts';
import { testAgent } from './testing/e2e.ts';
import { fakePlatform } from './testing/fake-platform.ts';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.ts';

// A kiosk restarted while the server cannot be reached showed the answers the server had already
// taken as "not answered" (only unsent ones were on disk): the candidate could answer them again.
let server: SpawnedServer;
let proxy: TcpProxy;
beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
  proxy = await startTcpProxy(server.url);
});
afterAll(async () => {
  await proxy?.close();
  await server?.kill();
});

describe('answers the server took are kept on the kiosk for its attempt', () => {
  it('a restart while offline shows every answer (saved ones as saved); sign-out and the next attempt leave none of them', async () => {
    const prov = await provision(server, 2, { prefix: 'kept' });
    const [c1, c2] = prov.candidates as [(typeof prov.candidates)[0], (typeof prov.candidates)[0]];
    const { agent, dataDir, keyPath } = await testAgent(proxy.url);
    await agent.login({ examId: prov.examId, candidateId: c1.candidateId, accessCode: c1.accessCode });
    await agent.startExam();
    await agent.saveAnswer('q1', 'a');
    await agent.saveAnswer('q3', 'saved to the server');
    await agent.whenSynced(5_000);
    proxy.cut();
    await agent.waitFor((s) => s.connection === 'offline', 5_000);
    await agent.saveAnswer('q2', ['one']);
    await agent.close();
    expect(existsSync(join(dataDir, ANSWERS_FILE))).toBe(true);

    // The kiosk starts again, still without the network.
    const again = await createAgent({ serverUrl: proxy.url, dataDir, secretStore: new FileSecretStore(keyPath), platform: fakePlatform(), checks: false });
    try {
      const sheet = again.answerSheet();
      const byQ = Object.fromEntries(sheet.answers.map((a) => [a.questionId, a]));
      expect(byQ.q1).toMatchObject({ value: 'a', synced: true });
      expect(byQ.q3).toMatchObject({ value: 'saved to the server', synced: true });
      expect(byQ.q2).toMatchObject({ value: ['one'], synced: false });

      // The network is back: the attempt goes on and ends; the kept copy goes with it.
      proxy.restore();
      await again.waitFor((s) => s.phase === 'in-exam' && s.connection === 'online', 10_000);
      await again.whenSynced(5_000);
      await again.submit();
      await again.waitFor((s) => s.phase === 'finished', 5_000);
      expect(existsSync(join(dataDir, ANSWERS_FILE))).toBe(false);
      await again.logout();

      // The next candidate at this desk sees none of it.
      await again.login({ examId: prov.examId, candidateId: c2.candidateId, accessCode: c2.accessCode });
      await again.startExam();
      expect(again.answerSheet().answers).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
