// `pnpm bench --connections-minute`: TCP connections a kiosk opens per minute at the default 10 s
// heartbeat. The kiosks are packages/agent's own (packages/agent/bench/kiosks.ts, run as a process
// of its own: --kiosks ApiClients, whose undici pool keeps a connection alive 60 s), each
// heartbeating every 10 s, spread evenly over the interval, for --kiosk-seconds of real time (the
// keep-alive timers of the server, 65 s, and of undici run on the real clock: no injected time can
// shorten this), through a TCP proxy that counts every connection accepted. The server's own counter
// invigil_connections_opened_total (GET /metrics every 20 s, over a connection of the bench's own
// opened before the count starts) must agree. Opt-in: it takes over a minute.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from '../src/testing/harness.ts';
import { log } from './log.ts';
import { MetricsScraper } from './metrics-scrape.ts';
import { ROOT } from './paths.ts';
import { goal, type SectionResult } from './rows.ts';
import { openSessions, type Deployment } from './sessions.ts';
import { nextHeartbeat, presign } from './signing.ts';

const INTERVAL_MS = 10_000;
const OPENED = 'invigil_connections_opened_total';
const KIOSKS = join(ROOT, 'packages/agent/bench/kiosks.ts');

interface KioskRun {
  beats: number;
  problems: number;
  messages: string[];
  accepted: number;
  acceptedAfterFirst: number;
  elapsedMs: number;
  afterFirstMs: number;
}

function runKiosks(inputFile: string): Promise<KioskRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', KIOSKS, inputFile], { cwd: join(ROOT, 'packages/agent'), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`packages/agent/bench/kiosks.ts exited with ${code}`);
        resolve(JSON.parse(out.trim().split('\n').pop()!) as KioskRun);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

export async function connectionsPerMinuteBench(o: { kiosks: number; seconds: number }): Promise<SectionResult> {
  log(`\n[connections] ${o.kiosks} kiosks (packages/agent ApiClient) heartbeating every ${INTERVAL_MS / 1000} s for ${o.seconds} s through a counting TCP proxy`);
  const server = await spawnServer({ LOG_LEVEL: 'warn', HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS) });
  const scraper = new MetricsScraper(server.url);
  const dir = mkdtempSync(join(tmpdir(), 'invigil-bench-kiosks-'));
  try {
    const d: Deployment = { label: 'kiosks', urls: [server.url], pids: [server.proc.pid!], adminPassword: server.adminPassword };
    const sessions = await openSessions(d, o.kiosks, 'kiosk');
    const perKiosk = Math.ceil(o.seconds / (INTERVAL_MS / 1000)) + 4;
    await presign(sessions, perKiosk);
    const input = join(dir, 'kiosks.json');
    writeFileSync(
      input,
      JSON.stringify({
        serverUrl: server.url,
        intervalMs: INTERVAL_MS,
        seconds: o.seconds,
        kiosks: sessions.map((s) => ({ token: s.token, attemptId: s.attemptId, fingerprint: s.fingerprint, beats: Array.from({ length: perKiosk }, () => nextHeartbeat(s)) })),
      }),
    );
    const opened0 = (await scraper.scrape()).value(OPENED);
    // The bench's own connection would idle out at the server's 65 s keep-alive and be opened again.
    const keepScraping = setInterval(() => void scraper.scrape().catch(() => undefined), 20_000);
    let run: KioskRun;
    try {
      run = await runKiosks(input);
    } finally {
      clearInterval(keepScraping);
    }
    for (const m of run.messages) log(`  ! ${m}`);
    const { accepted, acceptedAfterFirst } = run;
    const serverOpened = (await scraper.scrape()).value(OPENED) - opened0;
    const minutes = run.elapsedMs / 60_000;
    const perMinute = accepted / o.kiosks / minutes;
    const steady = (accepted - acceptedAfterFirst) / o.kiosks / (run.afterFirstMs / 60_000);
    log(
      `  ${run.beats} heartbeats answered sessionValid in ${(minutes * 60).toFixed(1)} s; TCP connections accepted: ${accepted} at the proxy, ${serverOpened} by the server (invigil_connections_opened_total); ` +
        `${acceptedAfterFirst} by the time every kiosk had sent its first heartbeat, ${accepted - acceptedAfterFirst} in the ${(run.afterFirstMs / 1000).toFixed(1)} s after; problems: ${run.problems}`,
    );
    if (serverOpened !== accepted) log(`  ! the server counted ${serverOpened} connections, the proxy ${accepted}`);
    return {
      problems: run.problems + (serverOpened === accepted ? 0 : 1),
      rows: [
        [
          `[${o.kiosks} kiosks] TCP connections / kiosk / minute`,
          perMinute.toFixed(2),
          `target <= 1: ${goal(perMinute <= 1)}; ${accepted} opened in ${(minutes * 60).toFixed(0)} s at a 10 s heartbeat, first connections included; after them ${steady.toFixed(2)}/min`,
        ],
      ],
    };
  } finally {
    await scraper.close();
    await server.kill('SIGTERM');
    rmSync(server.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
