// The kiosk side of `pnpm bench --connections-minute` (apps/server/bench/connections-minute.ts
// spawns this): one ApiClient of this package per kiosk — the real client with its undici
// keep-alive pool — each sending the pre-signed heartbeats it is handed every `intervalMs`, spread
// evenly over the interval, for `seconds` of real time, through a TCP proxy that counts every
// connection accepted. Input: a JSON file (argv[2]); output: one JSON line on stdout.
import { readFileSync } from 'node:fs';
import { ApiClient } from '../src/api-client.ts';
import { startTcpProxy } from '../src/testing/tcp-proxy.ts';

interface Input {
  serverUrl: string;
  intervalMs: number;
  seconds: number;
  kiosks: { token: string; attemptId: string; fingerprint: string; beats: { seq: number; signature: string }[] }[];
}

const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Input;
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
const proxy = await startTcpProxy(input.serverUrl);
const clients = input.kiosks.map((k) => {
  const c = new ApiClient({ serverUrl: proxy.url, timeoutMs: input.intervalMs, userAgent: 'invigil-bench-kiosk/1.0' });
  c.token = k.token;
  return c;
});
const messages: string[] = [];
let beats = 0;
let problems = 0;
let firstDone = 0;
let acceptedAfterFirst = 0;
const t0 = performance.now();
let tAfterFirst = t0;
const end = t0 + input.seconds * 1000;
const n = input.kiosks.length;
await Promise.all(
  input.kiosks.map(async (k, i) => {
    for (let j = 0; ; j++) {
      const due = t0 + (i * input.intervalMs) / n + j * input.intervalMs;
      if (due >= end) break;
      const hb = k.beats[j];
      if (!hb) {
        problems += 1;
        messages.push(`kiosk ${i}: no pre-signed heartbeat ${j}`);
        break;
      }
      await sleepUntil(due);
      try {
        const r = await clients[i]!.heartbeat({ attemptId: k.attemptId, seq: hb.seq, deviceFingerprint: k.fingerprint, signature: hb.signature });
        if (!r.sessionValid) throw new Error(`sessionValid:false ${r.warning ?? ''}`);
        beats += 1;
      } catch (e) {
        problems += 1;
        if (messages.length < 10) messages.push(`kiosk ${i} heartbeat ${hb.seq}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (j === 0 && ++firstDone === n) {
        acceptedAfterFirst = proxy.accepted;
        tAfterFirst = performance.now();
      }
    }
  }),
);
const tEnd = performance.now();
const accepted = proxy.accepted;
await Promise.all(clients.map((c) => c.close()));
await proxy.close();
process.stdout.write(`${JSON.stringify({ beats, problems, messages, accepted, acceptedAfterFirst, elapsedMs: tEnd - t0, afterFirstMs: tEnd - tAfterFirst })}\n`);
