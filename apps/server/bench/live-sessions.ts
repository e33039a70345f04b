// `pnpm bench --live-sessions N`: the real server holding N live exam sessions. The sessions are
// written straight into a fresh DATA_DIR through the store (bench/live-store.ts, as bench/sweep.ts
// does) before the server starts on it; --rate-sessions of them are instead opened over HTTP like a
// kiosk would (candidate login, device-bound start, one signed heartbeat), so the heartbeats below
// are real signed ones. Then, on that server:
//  (a) heartbeats at a fixed --rate per second, open loop (bench/fixed-rate.ts), for --seconds after
//      --warmup: p50 / p99 from the time each was due;
//  (b) the sweeper's pass time with nothing due, from the server's own histogram
//      invigil_sweep_duration_seconds on GET /metrics, over (a) and (c);
//  (c) the server's CPU (from /proc/PID/stat) over --seconds with no traffic at all;
//  (d) RSS per live session: RSS after a full GC with N live, minus that of an empty server started
//      the same way, / N.
// HEARTBEAT_INTERVAL_MS is 1 h, as in the rest of the bench: the provisioned sessions never heartbeat
// and must not be auto-paused during the run. The server's timers are the same as at the default
// 10 s interval (sweeper every 1 s, presence flush every 1 s, full scan every 60 s).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { inProcess, ManualClock } from '../src/testing/in-process.ts';
import { spawnServer, type SpawnedServer } from '../src/testing/harness.ts';
import { mib, ms } from './driver.ts';
import { sendAtRate, type RateResult } from './fixed-rate.ts';
import { provisionLiveSessions } from './live-store.ts';
import { log } from './log.ts';
import { countAtMost, histogramDelta, MetricsScraper, quantileBound, type Histogram, type Scrape } from './metrics-scrape.ts';
import { PROBE } from './paths.ts';
import { cpuSeconds } from './proc.ts';
import { Probe } from './profile.ts';
import { goal, type SectionResult } from './rows.ts';
import { heartbeatTarget, openSessions, type Deployment } from './sessions.ts';
import { presign } from './signing.ts';

const SWEEP = 'invigil_sweep_duration_seconds';
const REQUESTS = 'invigil_request_duration_seconds';
/** A pass above this is a full scan (about 0.7 s at 50,000 sessions); one with nothing due takes microseconds. */
const FULL_SCAN_ABOVE_S = 0.05;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** The app assembled in this process warns that the console is not built (it need not be): not bench output. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const error = console.error;
  console.error = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && args[0].startsWith('serveStatic: root path'))) error(...args);
  };
  try {
    return await fn();
  } finally {
    console.error = error;
  }
}

interface Started {
  server: SpawnedServer;
  probe: Probe;
  probeDir: string;
  scraper: MetricsScraper;
  /** The first sweep pass (a full scan of every live session), in seconds. */
  firstPassS: number;
}

/** Starts the real server (with the GC probe) and waits for its first sweep pass to finish. */
async function start(env: Record<string, string>, reuse?: { dataDir: string; adminPassword: string }): Promise<Started> {
  const probeDir = mkdtempSync(join(tmpdir(), 'invigil-bench-probe-'));
  const server = await spawnServer({ ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PROBE}`.trim(), INVIGIL_PROBE_DIR: probeDir, INVIGIL_CPU_PROF: '0' }, reuse);
  const scraper = new MetricsScraper(server.url);
  const deadline = performance.now() + 120_000;
  let h: Histogram;
  while ((h = (await scraper.scrape()).histogram(SWEEP)).count < 1) {
    if (performance.now() > deadline) throw new Error('the server ran no sweep pass within 120 s');
    await sleep(100);
  }
  return { server, probe: new Probe(probeDir, server.proc.pid!, false), probeDir, scraper, firstPassS: h.sum };
}

async function stop(s: Started): Promise<void> {
  await s.scraper.close();
  await s.server.kill('SIGTERM');
  rmSync(s.server.dataDir, { recursive: true, force: true });
  rmSync(s.probeDir, { recursive: true, force: true });
}

function rateLine(label: string, r: RateResult): number {
  const problems = [...r.problems.values()].reduce((a, n) => a + n, 0);
  log(
    `  ${label}: ${r.sent} requests due at a fixed rate, answered in ${r.elapsedS.toFixed(2)} s = ${Math.round(r.rps)} req/s; latency from due time p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}; ` +
      `from the actual send p99 ${ms(r.sentP99)}, client's send lag p99 ${ms(r.sendLagP99)}; CPU (% of one core): server ${Math.round(r.serverCpuPct)}, client ${Math.round(r.clientCpuPct)}, everything else on the machine ${Math.round(r.otherCpuPct)}; problems: ${problems}`,
  );
  for (const [what, n] of [...r.problems].slice(0, 10)) log(`    ! ${n} x ${what}`);
  return problems;
}

export async function liveSessionsBench(o: { n: number; rate: number; rateSessions: number; seconds: number; warmup: number }): Promise<SectionResult> {
  const signed = Math.min(o.rateSessions, o.n);
  const env = { LOG_LEVEL: 'warn', HEARTBEAT_INTERVAL_MS: '3600000' };
  log(`\n[live] ${o.n} live sessions (${o.n - signed} written through the store, ${signed} opened over HTTP with device keys); heartbeats at ${o.rate}/s open loop, sweep passes, idle CPU, RSS`);

  // (d) first half: an empty server, started and measured exactly as the full one will be.
  const empty = await start(env);
  await sleep(1_200);
  const memEmpty = await empty.probe.gc();
  log(`  empty server (pid ${empty.server.proc.pid}) after its first sweep pass and a full GC: RSS ${(memEmpty.rssKiB / 1024).toFixed(1)} MiB, V8 heap ${mib(memEmpty.heapUsed)} MiB`);
  await stop(empty);

  // Provisioning through the store, before the server starts on the same DATA_DIR.
  const t0 = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'invigil-bench-live-'));
  const inproc = await quietly(() => inProcess({ ...env, LOG_LEVEL: 'silent', DATA_DIR: dataDir }, new ManualClock(Date.now())));
  try {
    await provisionLiveSessions(inproc, o.n - signed);
  } finally {
    await inproc.close();
  }
  const tStore = performance.now();
  const live = await start(env, { dataDir, adminPassword: inproc.adminPassword });
  const pid = live.server.proc.pid!;
  let problems = 0;
  try {
    const d: Deployment = { label: `${o.n} live`, urls: [live.server.url], pids: [pid], adminPassword: inproc.adminPassword };
    const sessions = await openSessions(d, signed, 'live-hb');
    log(
      `  wrote ${o.n - signed} live sessions through the store in ${((tStore - t0) / 1000).toFixed(1)} s; server (pid ${pid}) started on them, first sweep pass (a full scan) ${ms(live.firstPassS * 1000)}; ` +
        `opened ${signed} device-bound sessions over HTTP (login, start, one signed heartbeat each) in ${((performance.now() - tStore) / 1000).toFixed(1)} s`,
    );
    await sleep(1_200); // the presence flusher runs
    const memLive = await live.probe.gc();
    log(`  with ${o.n} live sessions after a full GC: RSS ${(memLive.rssKiB / 1024).toFixed(1)} MiB, V8 heap ${mib(memLive.heapUsed)} MiB`);

    // (a) heartbeats at a fixed rate. A session beats every rateSessions / rate seconds: never two at once.
    const budget = Math.ceil((o.rate * (o.warmup + o.seconds)) / signed) + 4;
    await presign(sessions, budget);
    const target = heartbeatTarget(d, sessions, 1, []);
    const pool = new Pool(live.server.url, { connections: 16, pipelining: 1, keepAliveTimeout: 60_000 });
    const next = () => target.next(0);
    if (o.warmup > 0) {
      const w = await sendAtRate(pool, { rate: o.rate, seconds: o.warmup, serverPid: pid, next });
      problems += [...w.problems.values()].reduce((a, n) => a + n, 0);
    }
    const m0 = await live.scraper.scrape();
    const hb = await sendAtRate(pool, { rate: o.rate, seconds: o.seconds, serverPid: pid, next });
    await pool.close();
    problems += rateLine(`heartbeats at ${o.rate}/s (${signed} signed sessions, ${o.warmup} s warm-up discarded)`, hb);
    // What the server itself timed (handler in to answer out): the rest of the latency above is
    // queueing for the CPU, the network stack and the client.
    const inServer = histogramDelta(m0.histogram(REQUESTS, 'route="heartbeat"'), (await live.scraper.scrape()).histogram(REQUESTS, 'route="heartbeat"'));
    log(`    as the server timed them (${REQUESTS}, route heartbeat): ${inServer.count} answered, mean ${ms((inServer.sum / inServer.count) * 1000)}, p50 <= ${ms(quantileBound(inServer, 0.5) * 1000)}, p99 <= ${ms(quantileBound(inServer, 0.99) * 1000)}`);

    // (c) idle: no request at all (the scrapes are outside the window).
    await sleep(1_500);
    const m1b = await live.scraper.scrape();
    const cpu0 = cpuSeconds(pid);
    const ti = performance.now();
    await sleep(o.seconds * 1000);
    const idleS = (performance.now() - ti) / 1000;
    const idleCpuPct = ((cpuSeconds(pid) - cpu0) / idleS) * 100;
    const m2 = await live.scraper.scrape();

    // (b) sweep passes over both windows.
    const delta = (a: Scrape, b: Scrape) => histogramDelta(a.histogram(SWEEP), b.histogram(SWEEP));
    const all = delta(m0, m2);
    const idle = delta(m1b, m2);
    const quiet = countAtMost(all, FULL_SCAN_ABOVE_S);
    const scans = all.count - quiet;
    const scansIdle = idle.count - countAtMost(idle, FULL_SCAN_ABOVE_S);
    const underMs = countAtMost(all, 0.001);
    const p50 = quantileBound(all, 0.5, FULL_SCAN_ABOVE_S) * 1000;
    const p99 = quantileBound(all, 0.99, FULL_SCAN_ABOVE_S) * 1000;
    // With a full scan in it, the idle window's sum is that scan's time (give or take the quiet passes' microseconds).
    const scanSecondsIdle = scansIdle ? idle.sum : 0;
    // Idle over the whole 60 s cycle: the window without its full scans, plus one scan per 60 s (its
    // wall time, an upper bound of its CPU time).
    const idleCpuS = (idleCpuPct / 100) * idleS;
    const cycleCpuPct = (Math.max(0, idleCpuS - scanSecondsIdle) / idleS + live.firstPassS / 60) * 100;
    log(
      `  sweep passes over the heartbeat and idle windows (server histogram ${SWEEP}): ${all.count} passes, ${scans} full scan(s) (> ${FULL_SCAN_ABOVE_S * 1000} ms); ` +
        `with nothing due ${quiet}: ${underMs} of them <= 1 ms, p50 <= ${ms(p50)}, p99 <= ${ms(p99)} (bucket bounds 0.1 / 0.25 / 0.5 / 1 ms)`,
    );
    log(
      `  idle server: ${idleCpuS.toFixed(2)} CPU s in ${idleS.toFixed(1)} s = ${idleCpuPct.toFixed(1)}% of one core` +
        (scansIdle ? `, including ${scansIdle} full scan(s) (${(scanSecondsIdle * 1000).toFixed(0)} ms of sweeping)` : ', no full scan in the window') +
        `; the full scan every 60 s (the first took ${ms(live.firstPassS * 1000)}) adds up to ${((live.firstPassS / 60) * 100).toFixed(1)}% of a core: over the 60 s cycle ${cycleCpuPct.toFixed(1)}%`,
    );
    const rssPer = (memLive.rssKiB - memEmpty.rssKiB) / o.n;
    return {
      problems,
      rows: [
        [`[${o.n} live] heartbeats at ${o.rate}/s p50 / p99`, `${ms(hb.p50)} / ${ms(hb.p99)}`, `target p99 <= 25 ms: ${goal(hb.p99 <= 25)}; open loop, ${signed} signed sessions, ${Math.round(hb.rps)}/s answered`],
        [`[${o.n} live] sweep pass, nothing due p50 / p99`, `<= ${ms(p50)} / <= ${ms(p99)}`, `target <= 1 ms: ${goal(p50 <= 1)}; ${underMs}/${quiet} passes <= 1 ms; ${scans} full scan(s) left out (first ${ms(live.firstPassS * 1000)})`],
        [
          `[${o.n} live] idle server CPU, window / 60 s cycle`,
          `${idleCpuPct.toFixed(1)}% / ${cycleCpuPct.toFixed(1)}%`,
          `target <= 5% of a core (cycle): ${goal(cycleCpuPct <= 5)}; ${idleS.toFixed(0)} s without requests (${scansIdle} full scan(s) in it), + 1 full scan per 60 s`,
        ],
        [`[${o.n} live] RSS per live session`, `${rssPer.toFixed(2)} KiB`, `target <= 10 KiB: ${goal(rssPer <= 10)}; (${(memEmpty.rssKiB / 1024).toFixed(1)} MiB empty -> ${(memLive.rssKiB / 1024).toFixed(1)} MiB with ${o.n} live) / ${o.n}`],
      ],
    };
  } finally {
    await stop(live);
  }
}
