import { spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.ts';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.ts';

// Issue J: a kiosk heartbeats every 10 s; Node's own fetch closes an idle connection after 4 s, so it
// opened a new TCP connection for nearly every heartbeat. The agent's client keeps its connection
// (the server keeps idle connections 65 s). Counted at a TCP proxy in front of the real server.
let server: SpawnedServer;
let proxy: TcpProxy;
beforeAll(async () => {
  server = await spawnServer({});
  proxy = await startTcpProxy(server.url);
});
afterAll(async () => {
  await proxy?.close();
  await server?.kill();
});

describe('the agent keeps its connection between heartbeats', () => {
  it('requests 5 s apart (longer than fetch’s 4 s idle limit) open no new TCP connection', async () => {
    const api = new ApiClient({ serverUrl: proxy.url, timeoutMs: 5_000 });
    try {
      const before = proxy.accepted;
      for (let i = 0; i < 4; i++) await api.health();
      const warm = proxy.accepted - before;
      // At most the pool's two connections (a request may go out while the last one is finishing).
      expect(warm).toBeGreaterThanOrEqual(1);
      expect(warm).toBeLessThanOrEqual(2);
      // One real idle gap: the HTTP library's idle timer cannot take an injected clock.
      await new Promise((r) => setTimeout(r, 5_000));
      for (let i = 0; i < 4; i++) await api.health();
      expect(proxy.accepted - before).toBe(warm);
    } finally {
      await api.close();
    }
  }, 20_000);

  it('pointing the client at another server drops the old connections; a cut connection is replaced', async () => {
    const api = new ApiClient({ serverUrl: proxy.url, timeoutMs: 5_000 });
    try {
      const before = proxy.accepted;
      await api.health();
      api.setServerUrl(proxy.url);
      await api.health();
      expect(proxy.accepted - before).toBe(2);
      proxy.cut();
      await expect(api.health()).rejects.toThrow();
      proxy.restore();
      await api.health();
      expect(proxy.accepted - before).toBeGreaterThanOrEqual(3);
    } finally {
      await api.close();
    }
  });
});
