// `pnpm bench --sse-subscribers N` (apps/server/bench/sse-fanout.ts) — what the live-event fan-out
// costs the server per event and per subscriber, and how long an event takes to reach a console.
//
//   pnpm bench --sse-subscribers 200 [--sse-rate 100] [--seconds 10] [--warmup 2] [--rounds 4] [--cpu-prof]
//
// What it does:
//  1. starts the real server (src/main.ts, SQLite, memory bus) as its own process; creates 2 centers
//     of 5 rooms, places 4 candidates in each room and starts their device-bound sessions;
//  2. creates N staff accounts and signs each in: every 10th an admin (sees everything), the others
//     proctors, half of them assigned to a whole center, half to one room; each opens
//     GET /api/v1/proctor/events over its own HTTP connection (node:http, one socket each);
//  3. generates a known stream of events: --sse-rate staff actions per second (POST
//     /proctor/sessions/{id}/actions `message`, one `session.changed` event each, spread over the
//     rooms), and one signed heartbeat per session per second (the presence flusher turns them into
//     one `presence` event per room per tick);
//  4. measures server CPU in windows with the N subscribers connected and in windows with none
//     (same stream; --seconds in total per kind, cut into --rounds slices taken in turn), plus the
//     CPU the connected subscribers cost when no event flows (the login re-check, keep-alives). The
//     fan-out cost is (CPU with - CPU without - idle CPU of the subscribers), quoted per event per
//     subscriber (every subscriber's scope is checked for every event) and per frame delivered;
//  5. delivery latency: from the event's `at` (stamped by the server when it made the event; same
//     machine clock, millisecond resolution) to the moment the subscriber's socket handed over the
//     frame (client clock, sub-millisecond), over every frame delivered;
//  6. checks: every admin received the same events in the same order; every proctor received
//     exactly those of them in their scope (no more: authorization; no fewer: delivery), in order;
//     the events carry every staff action the bench made, once each.
//
// Exit status 0 when every request succeeded and every check held. No pass/fail on speed.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { call, candidateLogin, provision, spawnServer, type SpawnedServer } from '../src/testing/harness.ts';
import { ms } from './driver.ts';
import { log } from './log.ts';
import { PROBE } from './paths.ts';
import { cpuSeconds, machineBusySeconds, mapLimit } from './proc.ts';
import { Probe, summarizeProfile } from './profile.ts';
import { nextHeartbeat, type Live } from './signing.ts';

const CENTERS = 2;
const ROOMS_PER_CENTER = 5;
const SESSIONS_PER_ROOM = 4;
/** How long after the last event of a window the bench waits for every frame to arrive. */
const DRAIN_MS = 1_500;

interface Place {
  centerId: string;
  roomId: string;
}
type Scope = { all: true } | { all: false; centerId: string; roomId: string | null };
const inScope = (s: Scope, e: { centerId?: string | null; roomId?: string | null }) => s.all || (e.centerId === s.centerId && (s.roomId === null || e.roomId === s.roomId));
const scopeName = (s: Scope) => (s.all ? 'admin' : s.roomId ? 'proctor (room)' : 'proctor (center)');

interface Frame {
  id: string;
  type: string;
  attemptId: string | null;
  centerId: string | null;
  roomId: string | null;
  action: string | null;
  latencyMs: number;
}

/** One console: a staff login and (while connected) its live stream. */
class Subscriber {
  frames: Frame[] = [];
  hello = false;
  private req: http.ClientRequest | null = null;
  private buf = '';
  problems: string[] = [];
  constructor(
    readonly origin: string,
    readonly token: string,
    readonly scope: Scope,
  ) {}

  /** Opens the stream; resolves once the server's `hello` arrived. */
  connect(): Promise<void> {
    this.frames = [];
    this.hello = false;
    this.buf = '';
    return new Promise((resolve, reject) => {
      const url = new URL(`${this.origin}/api/v1/proctor/events?access_token=${encodeURIComponent(this.token)}`);
      const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET /proctor/events: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.timeOrigin + performance.now();
          this.buf += chunk;
          let i;
          while ((i = this.buf.indexOf('\n\n')) >= 0) {
            const block = this.buf.slice(0, i);
            this.buf = this.buf.slice(i + 2);
            this.onBlock(block, now);
            if (!this.hello && block.startsWith('event: hello')) {
              this.hello = true;
              resolve();
            }
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', (e) => {
        if (!this.hello) reject(e);
      });
      this.req = req;
    });
  }

  private onBlock(block: string, now: number): void {
    let event = 'message';
    let id = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event === 'closed') this.problems.push(`stream closed by the server: ${data}`);
    if (event !== 'message') return;
    const e = JSON.parse(data) as { type: string; at: string; attemptId?: string | null; centerId?: string | null; roomId?: string | null; data: { action?: string } };
    this.frames.push({ id, type: e.type, attemptId: e.attemptId ?? null, centerId: e.centerId ?? null, roomId: e.roomId ?? null, action: e.data.action ?? null, latencyMs: now - Date.parse(e.at) });
  }

  close(): void {
    this.req?.destroy();
    this.req = null;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `cond`, polling every 20 ms, at most `ms`. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** SSE subscribers on the server, from its /metrics. */
async function serverSubscribers(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^invigil_sse_subscribers(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

interface Stream {
  /** Staff actions sent per attempt, in order (each must show up as one `session.changed` event). */
  actions: Map<string, number>;
  actionCount: number;
  heartbeats: number;
  problems: string[];
}

/**
 * Sends `rate` staff actions per second, round-robin over the sessions (never two at once on one
 * session), and one heartbeat per session per second, for `seconds`.
 */
async function runStream(pool: Pool, adminToken: string, sessions: (Live & Place)[], rate: number, seconds: number): Promise<Stream> {
  const out: Stream = { actions: new Map(), actionCount: 0, heartbeats: 0, problems: [] };
  const busy = new Set<string>();
  const beating = new Set<string>();
  const acks = new Map<string, string[]>();
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  const t0 = performance.now();
  let actionsSent = 0;
  let beatsSent = 0;
  let cursor = 0;
  const act = (s: Live & Place) => {
    busy.add(s.attemptId);
    out.actions.set(s.attemptId, (out.actions.get(s.attemptId) ?? 0) + 1);
    out.actionCount += 1;
    track(
      (async () => {
        try {
          const r = await pool.request({
            method: 'POST',
            path: `/api/v1/proctor/sessions/${s.attemptId}/actions`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
            body: JSON.stringify({ action: 'message', message: 'bench message' }),
          });
          const text = await r.body.text();
          if (r.statusCode !== 200) out.problems.push(`action: HTTP ${r.statusCode} ${text.slice(0, 160)}`);
        } catch (e) {
          out.problems.push(`action failed: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          busy.delete(s.attemptId);
        }
      })(),
    );
  };
  const beat = (s: Live & Place) => {
    beating.add(s.attemptId);
    out.heartbeats += 1;
    const hb = nextHeartbeat(s);
    const ackInstructionIds = acks.get(s.attemptId) ?? [];
    track(
      (async () => {
        try {
          const r = await pool.request({
            method: 'POST',
            path: '/api/v1/exams/sessions/heartbeat',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
            body: JSON.stringify({ attemptId: s.attemptId, seq: hb.seq, deviceFingerprint: s.fingerprint, signature: hb.signature, ...(ackInstructionIds.length ? { ackInstructionIds } : {}) }),
          });
          const body = (await r.body.json()) as { sessionValid?: boolean; warning?: string; instructions?: { id: string }[] };
          if (r.statusCode !== 200 || body.sessionValid !== true) out.problems.push(`heartbeat: HTTP ${r.statusCode} sessionValid:${String(body.sessionValid)} ${body.warning ?? ''}`);
          // The kiosk acknowledges what it was told in its next heartbeat (at most 100 per heartbeat).
          acks.set(s.attemptId, (body.instructions ?? []).map((i) => i.id).slice(0, 100));
        } catch (e) {
          out.problems.push(`heartbeat failed: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          beating.delete(s.attemptId);
        }
      })(),
    );
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = (performance.now() - t0) / 1000;
      const upTo = Math.min(elapsed, seconds);
      const wantActions = Math.floor(upTo * rate);
      for (let tries = 0; actionsSent < wantActions && tries < sessions.length; tries++) {
        const s = sessions[cursor++ % sessions.length]!;
        if (busy.has(s.attemptId)) continue;
        act(s);
        actionsSent += 1;
        tries = 0;
      }
      const wantBeats = Math.floor(upTo * sessions.length);
      while (beatsSent < wantBeats) {
        const s = sessions[beatsSent % sessions.length]!;
        if (beating.has(s.attemptId)) break;
        beat(s);
        beatsSent += 1;
      }
      if (elapsed >= seconds) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
  await Promise.all(inflight);
  return out;
}

interface CpuWindow {
  seconds: number;
  server: number;
  client: number;
  other: number;
}
function cpuMeter(pid: number): () => CpuWindow {
  const s0 = cpuSeconds(pid);
  const c0 = process.cpuUsage();
  const m0 = machineBusySeconds();
  const t0 = performance.now();
  return () => {
    const server = cpuSeconds(pid) - s0;
    const c = process.cpuUsage(c0);
    const client = (c.user + c.system) / 1e6;
    return { seconds: (performance.now() - t0) / 1000, server, client, other: Math.max(0, machineBusySeconds() - m0 - server - client) };
  };
}
const addCpu = (a: CpuWindow, b: CpuWindow): CpuWindow => ({ seconds: a.seconds + b.seconds, server: a.server + b.server, client: a.client + b.client, other: a.other + b.other });
const ZERO: CpuWindow = { seconds: 0, server: 0, client: 0, other: 0 };
const pct = (cpuS: number, s: number) => `${Math.round((cpuS / s) * 100)}%`;

/**
 * Checks one window's frames: admins agree; each proctor got exactly the in-scope part of it; the
 * events carry every action once. Answers the problems (empty: all good) and the events of the window.
 */
function checkWindow(subs: Subscriber[], stream: Stream): { problems: string[]; events: Frame[] } {
  const problems: string[] = [...stream.problems];
  for (const s of subs) problems.push(...s.problems);
  const admins = subs.filter((s) => s.scope.all);
  const truth = admins[0]!.frames;
  const ids = (fs: Frame[]) => fs.map((f) => f.id).join(',');
  const truthIds = ids(truth);
  for (const a of admins.slice(1)) if (ids(a.frames) !== truthIds) problems.push(`admins disagree: ${a.frames.length} vs ${truth.length} events`);
  for (const s of subs) {
    if (s.scope.all) continue;
    const want = truth.filter((f) => inScope(s.scope, f));
    const got = s.frames;
    if (ids(got) === ids(want)) continue;
    const wantSet = new Set(want.map((f) => f.id));
    const gotSet = new Set(got.map((f) => f.id));
    const foreign = got.filter((f) => !inScope(s.scope, f)).length;
    const missing = want.filter((f) => !gotSet.has(f.id)).length;
    const extra = got.filter((f) => !wantSet.has(f.id)).length;
    problems.push(`${scopeName(s.scope)}: got ${got.length} events, expected ${want.length} (missing ${missing}, unexpected ${extra}, out of scope ${foreign}${missing + extra === 0 ? ', order differs' : ''})`);
  }
  const announced = new Map<string, number>();
  for (const f of truth) if (f.type === 'session.changed' && f.action === 'message') announced.set(f.attemptId!, (announced.get(f.attemptId!) ?? 0) + 1);
  for (const [attemptId, n] of stream.actions) if (announced.get(attemptId) !== n) problems.push(`attempt ${attemptId}: ${n} actions sent, ${announced.get(attemptId) ?? 0} events received`);
  for (const [attemptId] of announced) if (!stream.actions.has(attemptId)) problems.push(`attempt ${attemptId}: events without an action`);
  return { problems, events: truth };
}

export async function sseFanout(o: { subscribers: number; rate: number; seconds: number; warmup: number; rounds: number; cpuProf: boolean }): Promise<number> {
  const tStart = performance.now();
  const N = o.subscribers;
  log(`Invigil SSE fan-out bench: ${N} subscribers, ${o.rate} staff actions/s + 1 heartbeat/s for each of ${CENTERS * ROOMS_PER_CENTER * SESSIONS_PER_ROOM} sessions in ${CENTERS * ROOMS_PER_CENTER} rooms; ${o.seconds} s measured with and ${o.seconds} s without subscribers, in ${o.rounds} alternating slices each`);
  log(`Machine: ${cpus().length} CPU core(s), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}. Client (this process) and server share these cores.`);
  const probeDir = mkdtempSync(join(tmpdir(), 'invigil-bench-probe-'));
  const server: SpawnedServer = await spawnServer({
    LOG_LEVEL: 'warn',
    HEARTBEAT_INTERVAL_MS: '3600000',
    MAX_CONNECTIONS_PER_ADDRESS: String(N + 1_000),
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PROBE}`.trim(),
    INVIGIL_PROBE_DIR: probeDir,
    INVIGIL_CPU_PROF: o.cpuProf ? '1' : '0',
  });
  const pid = server.proc.pid!;
  const probe = new Probe(probeDir, pid, o.cpuProf);
  const pool = new Pool(server.url, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });
  const subs: Subscriber[] = [];
  let failed = false;
  try {
    // -- places, candidates, sessions
    const t0 = performance.now();
    const nSessions = CENTERS * ROOMS_PER_CENTER * SESSIONS_PER_ROOM;
    const p = await provision(server, nSessions, { prefix: 'sse' });
    const places: Place[] = [];
    const centers: string[] = [];
    for (let c = 0; c < CENTERS; c++) {
      const center = await call(`${server.api}/admin/centers`, 'POST', { name: `Bench center ${c + 1}` }, p.adminToken);
      if (center.status !== 201) throw new Error(`create center: ${center.status} ${JSON.stringify(center.body)}`);
      centers.push(center.body.id);
      for (let r = 0; r < ROOMS_PER_CENTER; r++) {
        const room = await call(`${server.api}/admin/centers/${center.body.id}/rooms`, 'POST', { name: `Room ${r + 1}` }, p.adminToken);
        if (room.status !== 201) throw new Error(`create room: ${room.status} ${JSON.stringify(room.body)}`);
        places.push({ centerId: center.body.id, roomId: room.body.id });
      }
    }
    const sessions = await mapLimit(p.candidates, 8, async (c, i): Promise<Live & Place> => {
      const place = places[i % places.length]!;
      const placed = await call(`${server.api}/admin/exams/${p.examId}/registrations/${c.candidateId}`, 'PUT', place, p.adminToken);
      if (placed.status !== 200) throw new Error(`place ${c.candidateId}: ${placed.status} ${JSON.stringify(placed.body)}`);
      const token = await candidateLogin(server, p.examId, c, 'invigil-bench/1.0');
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const fingerprint = `bench-fp-${c.candidateId}`;
      const r = await call(`${server.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, deviceFingerprint: fingerprint, devicePublicKey: publicKey.export({ format: 'jwk' }).x!, browserInfo: 'invigil-bench' }, token);
      if (r.status !== 201) throw new Error(`session start for ${c.candidateId}: ${r.status} ${JSON.stringify(r.body)}`);
      return { ...place, candidateId: c.candidateId, token, attemptId: r.body.attemptId, fingerprint, privateKey, pkcs8: Buffer.alloc(0), seq: 0, presigned: [], presignedFrom: 1, clientSeq: 0, acked: new Map() };
    });

    // -- staff: every 10th an admin, the others proctors of a center or of one room
    const scopes: Scope[] = Array.from({ length: N }, (_, i): Scope => {
      if (i % 10 === 0) return { all: true };
      const place = places[i % places.length]!;
      return i % 2 === 1 ? { all: false, centerId: place.centerId, roomId: null } : { all: false, centerId: place.centerId, roomId: place.roomId };
    });
    const password = 'a-long-bench-staff-password';
    const tokens = await mapLimit(scopes, 4, async (scope, i) => {
      const username = `sse-staff-${i + 1}`;
      const created = await call(`${server.api}/admin/staff`, 'POST', { username, password, role: scope.all ? 'admin' : 'proctor' }, p.adminToken);
      if (created.status !== 201) throw new Error(`create staff: ${created.status} ${JSON.stringify(created.body)}`);
      if (!scope.all) {
        const a = await call(`${server.api}/admin/staff/${created.body.id}/assignments`, 'PUT', { assignments: [{ centerId: scope.centerId, roomId: scope.roomId }] }, p.adminToken);
        if (a.status !== 200) throw new Error(`assign staff: ${a.status} ${JSON.stringify(a.body)}`);
      }
      const login = await call(`${server.api}/auth/staff/login`, 'POST', { username, password });
      if (login.status !== 200) throw new Error(`staff login: ${login.status} ${JSON.stringify(login.body)}`);
      return login.body.token as string;
    });
    for (let i = 0; i < N; i++) subs.push(new Subscriber(server.url, tokens[i]!, scopes[i]!));
    const byKind = new Map<string, number>();
    for (const s of subs) byKind.set(scopeName(s.scope), (byKind.get(scopeName(s.scope)) ?? 0) + 1);
    log(`Provisioned ${CENTERS} centers, ${places.length} rooms, ${sessions.length} live sessions, ${N} staff logins (${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const connectAll = async () => {
      await mapLimit(subs, 32, (s) => s.connect());
      if (!(await until(() => subs.every((s) => s.hello), 10_000))) throw new Error('not every subscriber got its hello');
      const n = await serverSubscribers(server.url);
      if (n !== N) throw new Error(`the server counts ${n} subscribers, expected ${N}`);
    };
    const closeAll = async () => {
      for (const s of subs) s.close();
      if (!(await waitFor(async () => (await serverSubscribers(server.url)) === 0, 10_000))) throw new Error('subscribers still counted after closing');
    };
    const waitFor = async (cond: () => Promise<boolean>, ms: number) => {
      const end = Date.now() + ms;
      while (!(await cond())) {
        if (Date.now() > end) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
      return true;
    };

    // -- warm-up (discarded), with subscribers
    await connectAll();
    if (o.warmup > 0) {
      const w = await runStream(pool, p.adminToken, sessions, o.rate, o.warmup);
      await pause(DRAIN_MS);
      const { problems } = checkWindow(subs, w);
      if (problems.length) log(`  warm-up problems: ${problems.slice(0, 5).join('; ')}`);
    }

    // -- idle: subscribers connected, nothing happens (login re-checks, keep-alives)
    for (const s of subs) s.frames = [];
    await pause(DRAIN_MS);
    const idleMeter = cpuMeter(pid);
    await pause(Math.max(2, o.seconds / 2) * 1000);
    const idle = idleMeter();
    log(`  idle, ${N} subscribers connected: server CPU ${pct(idle.server, idle.seconds)} of one core over ${idle.seconds.toFixed(1)} s`);

    // -- measured windows, alternating
    let withCpu = ZERO;
    let withoutCpu = ZERO;
    let deliveries = 0;
    let events = 0;
    let actions = 0;
    let heartbeats = 0;
    let withoutActions = 0;
    const latencies: number[] = [];
    const profiles: string[] = [];
    const problems: string[] = [];
    let connected = true;
    const slice = o.seconds / o.rounds;
    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
      for (const kind of order) {
        if (kind === 'with') {
          if (!connected) await connectAll();
          connected = true;
          await pause(300);
          for (const s of subs) s.frames = [];
          await probe.cut();
          const meter = cpuMeter(pid);
          const stream = await runStream(pool, p.adminToken, sessions, o.rate, slice);
          await pause(DRAIN_MS); // the last presence tick and the last frames
          const cpu = meter();
          const file = await probe.cut();
          if (file) profiles.push(file);
          withCpu = addCpu(withCpu, cpu);
          const checked = checkWindow(subs, stream);
          problems.push(...checked.problems);
          events += checked.events.length;
          actions += stream.actionCount;
          heartbeats += stream.heartbeats;
          for (const s of subs) {
            deliveries += s.frames.length;
            for (const f of s.frames) latencies.push(f.latencyMs);
          }
          log(`  with ${N} subscribers: ${stream.actionCount} actions + ${stream.heartbeats} heartbeats -> ${checked.events.length} events, ${subs.reduce((a, s) => a + s.frames.length, 0)} frames delivered; server CPU ${cpu.server.toFixed(2)} s in ${cpu.seconds.toFixed(2)} s; problems: ${checked.problems.length}`);
        } else {
          if (connected) await closeAll();
          connected = false;
          await pause(300);
          const meter = cpuMeter(pid);
          const stream = await runStream(pool, p.adminToken, sessions, o.rate, slice);
          await pause(DRAIN_MS);
          const cpu = meter();
          withoutCpu = addCpu(withoutCpu, cpu);
          problems.push(...stream.problems);
          withoutActions += stream.actionCount;
          log(`  without subscribers: ${stream.actionCount} actions + ${stream.heartbeats} heartbeats; server CPU ${cpu.server.toFixed(2)} s in ${cpu.seconds.toFixed(2)} s; problems: ${stream.problems.length}`);
        }
      }
    }
    if (connected) await closeAll();

    // -- summary
    latencies.sort((a, b) => a - b);
    const q = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! : NaN);
    // Both kinds of window ran the same actions at the same rate; scale the baseline to the same number of actions in case they differ.
    const baseline = withoutCpu.server * (withoutActions ? actions / withoutActions : 1);
    const idleShare = (idle.server / idle.seconds) * withCpu.seconds;
    const fanout = withCpu.server - baseline - idleShare;
    const rows: [string, string, string][] = [
      ['subscribers', String(N), [...byKind].map(([k, n]) => `${n} ${k}`).join(', ')],
      ['events (with subscribers)', String(events), `${actions} staff actions (one session.changed each) + presence events from ${heartbeats} heartbeats`],
      ['frames delivered', String(deliveries), `${(deliveries / Math.max(1, events)).toFixed(1)} per event (each subscriber gets those in its scope)`],
      ['server CPU with / without subscribers', `${withCpu.server.toFixed(2)} / ${withoutCpu.server.toFixed(2)} s`, `over ${withCpu.seconds.toFixed(1)} / ${withoutCpu.seconds.toFixed(1)} s; idle subscribers cost ${idleShare.toFixed(2)} s of it`],
      ['fan-out CPU per event per subscriber', `${((fanout / (events * N)) * 1e6).toFixed(2)} us`, '(with - without - idle) / (events x subscribers): scope check for all, frame for those in scope'],
      ['fan-out CPU per frame delivered', `${((fanout / Math.max(1, deliveries)) * 1e6).toFixed(2)} us`, '(with - without - idle) / frames delivered'],
      ['fan-out CPU per event (all subscribers)', `${((fanout / Math.max(1, events)) * 1e6).toFixed(0)} us`, ''],
      ['delivery latency p50 / p99 / max', `${ms(q(50))} / ${ms(q(99))} / ${ms(latencies[latencies.length - 1] ?? NaN)}`, "event's `at` (server, 1 ms resolution) to receipt (client)"],
      ['client / other CPU (with subscribers)', `${pct(withCpu.client, withCpu.seconds)} / ${pct(withCpu.other, withCpu.seconds)}`, 'of one core: this process / everything else on the machine'],
      ['problems', String(problems.length), 'must be 0: every subscriber got every event in its scope, in order, and nothing else'],
    ];
    for (const pr of problems.slice(0, 10)) log(`  ! ${pr}`);
    if (profiles.length) summarizeProfile('with-subscribers', profiles, 25);
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    log(`\nSummary (SSE fan-out, ${N} subscribers, ${o.rate} actions/s, ${cpus().length} cores shared by client and server)`);
    log(`  ${'metric'.padEnd(w0)}  ${'value'.padEnd(w1)}  note`);
    log(`  ${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ----`);
    for (const [k, v, n] of rows) log(`  ${k.padEnd(w0)}  ${v.padEnd(w1)}  ${n}`);
    failed = problems.length > 0;
    if (failed) log('\nSome checks failed: these figures are NOT a valid benchmark.');
    log(`\nTotal bench time ${((performance.now() - tStart) / 1000).toFixed(1)} s; load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    for (const s of subs) s.close();
    await pool.close();
    await server.kill('SIGTERM');
    rmSync(server.dataDir, { recursive: true, force: true });
    if (!o.cpuProf) rmSync(probeDir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}
