// `pnpm bench --connections-minute`: TCP connections a kiosk opens per minute at the default 10 s
// heartbeat. --kiosks clients of packages/agent's own ApiClient (its undici pool keeps a connection
// alive 60 s) each heartbeat every 10 s, spread evenly over the interval, for --kiosk-seconds of real
// time (the keep-alive timers of the server, 65 s, and of undici run on the real clock: no injected
// time can shorten this). They talk to the server through a TCP proxy (packages/agent's TcpProxy
// test helper) that counts every connection accepted; the server's own counter
// invigil_connections_opened_total (GET /metrics every 20 s, over a connection of the bench's own
// opened before the count starts) must agree. Opt-in: it takes over a minute.
import { rmSync } from 'node:fs';
import { ApiClient } from '../../../packages/agent/src/api-client.ts';
import { startTcpProxy } from '../../../packages/agent/src/testing/tcp-proxy.ts';
import { spawnServer } from '../src/testing/harness.ts';
import { log } from './log.ts';
import { MetricsScraper } from './metrics-scrape.ts';
import { goal, type SectionResult } from './rows.ts';
import { openSessions, type Deployment } from './sessions.ts';
import { nextHeartbeat, presign } from './signing.ts';

const INTERVAL_MS = 10_000;
const OPENED = 'invigil_connections_opened_total';
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

export async function connectionsPerMinuteBench(o: { kiosks: number; seconds: number }): Promise<SectionResult> {
  log(`\n[connections] ${o.kiosks} kiosks (packages/agent ApiClient) heartbeating every ${INTERVAL_MS / 1000} s for ${o.seconds} s through a counting TCP proxy`);
  const server = await spawnServer({ LOG_LEVEL: 'warn', HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS) });
  const proxy = await startTcpProxy(server.url);
  const scraper = new MetricsScraper(server.url);
  const clients: ApiClient[] = [];
  let problems = 0;
  try {
    const d: Deployment = { label: 'kiosks', urls: [server.url], pids: [server.proc.pid!], adminPassword: server.adminPassword };
    const sessions = await openSessions(d, o.kiosks, 'kiosk');
    await presign(sessions, Math.ceil(o.seconds / (INTERVAL_MS / 1000)) + 4);
    const m0 = await scraper.scrape();
    const opened0 = m0.value(OPENED);
    for (let i = 0; i < o.kiosks; i++) {
      const c = new ApiClient({ serverUrl: proxy.url, timeoutMs: INTERVAL_MS, userAgent: 'invigil-bench-kiosk/1.0' });
      c.token = sessions[i]!.token;
      clients.push(c);
    }
    // The bench's own connection would idle out at the server's 65 s keep-alive and be opened again.
    const keepScraping = setInterval(() => void scraper.scrape().catch(() => undefined), 20_000);
    const t0 = performance.now();
    const end = t0 + o.seconds * 1000;
    let beats = 0;
    let firstDone = 0;
    let acceptedAfterFirst = 0;
    let tAfterFirst = t0;
    await Promise.all(
      sessions.map(async (s, k) => {
        for (let j = 0; ; j++) {
          const due = t0 + (k * INTERVAL_MS) / o.kiosks + j * INTERVAL_MS;
          if (due >= end) break;
          await sleepUntil(due);
          const hb = nextHeartbeat(s);
          try {
            const r = await clients[k]!.heartbeat({ attemptId: s.attemptId, seq: hb.seq, deviceFingerprint: s.fingerprint, signature: hb.signature });
            if (!r.sessionValid) throw new Error(`sessionValid:false ${r.warning ?? ''}`);
            beats += 1;
          } catch (e) {
            problems += 1;
            if (problems <= 10) log(`  ! kiosk ${k} heartbeat ${hb.seq}: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (j === 0 && ++firstDone === o.kiosks) {
            acceptedAfterFirst = proxy.accepted;
            tAfterFirst = performance.now();
          }
        }
      }),
    );
    const tEnd = performance.now();
    clearInterval(keepScraping);
    const accepted = proxy.accepted;
    const serverOpened = (await scraper.scrape()).value(OPENED) - opened0;
    const minutes = (tEnd - t0) / 60_000;
    const perMinute = accepted / o.kiosks / minutes;
    const steady = (accepted - acceptedAfterFirst) / o.kiosks / ((tEnd - tAfterFirst) / 60_000);
    log(
      `  ${beats} heartbeats answered sessionValid in ${(minutes * 60).toFixed(1)} s; TCP connections accepted: ${accepted} at the proxy, ${serverOpened} by the server (invigil_connections_opened_total); ` +
        `${acceptedAfterFirst} by the time every kiosk had sent its first heartbeat, ${accepted - acceptedAfterFirst} in the ${((tEnd - tAfterFirst) / 1000).toFixed(1)} s after; problems: ${problems}`,
    );
    if (serverOpened !== accepted) log(`  ! the server counted ${serverOpened} connections, the proxy ${accepted}`);
    return {
      problems: problems + (serverOpened === accepted ? 0 : 1),
      rows: [
        [
          `[${o.kiosks} kiosks] TCP connections / kiosk / minute`,
          perMinute.toFixed(2),
          `target <= 1: ${goal(perMinute <= 1)}; ${accepted} opened in ${(minutes * 60).toFixed(0)} s at a 10 s heartbeat, first connections included; after them ${steady.toFixed(2)}/min`,
        ],
      ],
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await scraper.close();
    await proxy.close();
    await server.kill('SIGTERM');
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}
