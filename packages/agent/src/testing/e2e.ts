/** Helpers for the agent's end-to-end tests against the real server (test-only: imports the server harness). */
import { call, type SpawnedServer } from '@invigil/server/testing';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KioskEvent } from '@invigil/contract';
import { createAgent, type Agent, type AgentOptions } from '../agent.ts';
import { FileSecretStore } from '../file-secret-store.ts';
import { fakePlatform } from './fake-platform.ts';

export async function tempDirs(): Promise<{ dataDir: string; keyPath: string }> {
  const root = await mkdtemp(join(tmpdir(), 'invigil-agent-'));
  return { dataDir: join(root, 'data'), keyPath: join(root, 'keys', 'secret.key') };
}

/** An in-process agent on fresh folders, recording its events. */
export async function testAgent(serverUrl: string, o: Partial<AgentOptions> = {}): Promise<{ agent: Agent; events: KioskEvent[]; dataDir: string; keyPath: string }> {
  const dirs = await tempDirs();
  const agent = await createAgent({
    serverUrl,
    dataDir: dirs.dataDir,
    secretStore: new FileSecretStore(dirs.keyPath),
    platform: fakePlatform(),
    checks: false,
    ...o,
  });
  const events: KioskEvent[] = [];
  agent.onEvent((e) => events.push(e));
  return { agent, events, ...dirs };
}

/** The staff's live view of one attempt. */
export async function liveSession(server: SpawnedServer, adminToken: string, attemptId: string): Promise<any> {
  const r = await call(`${server.api}/proctor/sessions?includeFinished=true`, 'GET', undefined, adminToken);
  if (r.status !== 200) throw new Error(`live sessions: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.sessions.find((s: any) => s.attemptId === attemptId);
}

export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
