import { Pool } from 'undici';
import type { Req } from './driver.ts';
import { cpuSeconds, machineBusySeconds } from './proc.ts';

export interface RateResult {
  sent: number;
  elapsedS: number;
  /** Achieved rate: answers / elapsed. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Latency from the moment the request actually went out (the server's share, and the network's), p99. */
  sentP99: number;
  /** How far behind its schedule the client sent a request (its own lag), p99. */
  sendLagP99: number;
  problems: Map<string, number>;
  serverCpuPct: number;
  clientCpuPct: number;
  /** Everything else on the machine, % of one core. */
  otherCpuPct: number;
}

/**
 * An open-loop sender: request i goes out at t0 + i / rate whatever the answers before it did (a
 * kiosk does not wait for other kiosks), over a pool of keep-alive connections. Latency is taken
 * from the time the request was due, not from when the client got round to it, so a stall on either
 * side shows in the figures instead of silently lowering the rate (no coordinated omission).
 */
export async function sendAtRate(pool: Pool, o: { rate: number; seconds: number; serverPid: number; next: () => Req }): Promise<RateResult> {
  const total = Math.round(o.rate * o.seconds);
  const latencies = new Float64Array(total);
  const lags = new Float64Array(total);
  const fromSend = new Float64Array(total);
  const problems = new Map<string, number>();
  const problem = (what: string) => problems.set(what, (problems.get(what) ?? 0) + 1);
  const cpu0 = process.cpuUsage();
  const server0 = cpuSeconds(o.serverPid);
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  let tLast = t0;
  const inFlight: Promise<void>[] = [];
  const one = async (i: number, due: number) => {
    const r = o.next();
    const sent = performance.now();
    lags[i] = sent - due;
    try {
      const res = await pool.request({ method: r.method, path: r.path, headers: r.headers, body: r.body });
      const text = await res.body.text();
      const end = performance.now();
      latencies[i] = end - due;
      fromSend[i] = end - sent;
      if (end > tLast) tLast = end;
      if (res.statusCode < 200 || res.statusCode > 299) {
        problem(`HTTP ${res.statusCode} ${text.slice(0, 200)}`);
        return;
      }
      const why = r.check(res.statusCode, JSON.parse(text));
      if (why) problem(why);
    } catch (e) {
      latencies[i] = NaN;
      fromSend[i] = NaN;
      problem(`request failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  for (let i = 0; i < total; ) {
    const now = performance.now();
    // Everything due by now goes out now; then sleep until the next one is due.
    for (; i < total && t0 + (i * 1000) / o.rate <= now; i++) inFlight.push(one(i, t0 + (i * 1000) / o.rate));
    if (i < total) await new Promise((r) => setTimeout(r, Math.max(0, t0 + (i * 1000) / o.rate - performance.now())));
  }
  await Promise.all(inFlight);
  const elapsedS = (tLast - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const serverCpuS = cpuSeconds(o.serverPid) - server0;
  const clientCpuS = (cpu.user + cpu.system) / 1e6;
  const otherCpuS = Math.max(0, machineBusySeconds() - machine0 - serverCpuS - clientCpuS);
  const ok = latencies.filter((x) => Number.isFinite(x)).sort();
  const lag = lags.sort();
  const served = fromSend.filter((x) => Number.isFinite(x)).sort();
  const pct = (xs: Float64Array, p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);
  return {
    sent: total,
    elapsedS,
    rps: ok.length / elapsedS,
    p50: pct(ok, 50),
    p99: pct(ok, 99),
    max: ok.length ? ok[ok.length - 1]! : NaN,
    sentP99: pct(served, 99),
    sendLagP99: pct(lag, 99),
    problems,
    serverCpuPct: (serverCpuS / elapsedS) * 100,
    clientCpuPct: (clientCpuS / elapsedS) * 100,
    otherCpuPct: (otherCpuS / elapsedS) * 100,
  };
}
