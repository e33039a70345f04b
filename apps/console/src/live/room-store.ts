import type { Alert, LiveSession } from '@invigil/contract';
import { api, auth, url } from '../api.ts';
import { TILE_STATUSES, tileStatus, type TileStatus } from './status.ts';

/** One tile's data: the last full row from the server plus what live events changed since. */
export interface TileData {
  s: LiveSession;
  /** Server time (ms) the row's timeRemaining was true at. */
  asOf: number;
  /** Last heartbeat, server ms (null = never). */
  seenAt: number | null;
  /** Bumped on every change, so a memoised tile re-renders only when its data changed. */
  version: number;
  /** Server ms of the last live change (for a brief highlight). */
  changedAt: number;
}

export type Connection = 'connecting' | 'live' | 'reconnecting';

/** What the server puts in an SSE `message` (PROTOCOL: event bus). */
interface LiveEventMsg {
  type: string;
  at: string;
  attemptId?: string | null;
  centerId?: string | null;
  roomId?: string | null;
  data?: { status?: LiveSession['status']; isLocked?: boolean; timeRemaining?: number; pauseKind?: string | null; id?: string; action?: string; seen?: Record<string, string> };
}

export interface StatusSample {
  t: number;
  counts: Record<TileStatus, number>;
  /** Median and max seconds since the last heartbeat over active sessions. */
  hbMedian: number | null;
  hbMax: number | null;
}

/**
 * The live room: every exam session in the staff member's scope and the open alerts, kept up to
 * date from the server's event stream (patched in place; never a page reload), with a quiet
 * resync after a reconnect, after changes the event does not fully describe, and once per
 * heartbeat interval for presence (heartbeats themselves are not events).
 */
export class RoomStore {
  tiles = new Map<string, TileData>();
  alerts: Alert[] = [];
  heartbeatIntervalMs = 10_000;
  /** serverTime − Date.now() at the last fetch. */
  offset = 0;
  connection: Connection = 'connecting';
  loaded = false;
  error: string | null = null;
  lastEventAt: number | null = null;
  history: StatusSample[] = [];

  private listeners = new Set<() => void>();
  private es: EventSource | null = null;
  private retry = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private resyncTimer: ReturnType<typeof setTimeout> | null = null;
  private lastResync = 0;
  private resyncing: Promise<void> | null = null;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  private sampleTimer: ReturnType<typeof setInterval> | null = null;
  private alertsTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private notifyQueued = false;

  now(): number {
    return Date.now() + this.offset;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** Coalesces many changes in one frame into one render. */
  private notify(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const l of this.listeners) l();
    });
  }

  start(): void {
    this.stopped = false;
    void this.resync();
    void this.loadAlerts();
    this.connect();
    this.presenceLoop();
    this.sampleTimer = setInterval(() => this.sample(), 5_000);
  }

  stop(): void {
    this.stopped = true;
    this.es?.close();
    this.es = null;
    for (const t of [this.retryTimer, this.resyncTimer, this.alertsTimer]) if (t) clearTimeout(t);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    if (this.sampleTimer) clearInterval(this.sampleTimer);
  }

  /**
   * Heartbeats arrive as batched `presence` events and new sessions as `session.started`; a quiet
   * resync every few seconds is the safety net (a missed event, a session that went silent).
   */
  private presenceLoop(): void {
    if (this.stopped) return;
    const every = Math.min(5_000, Math.max(2_000, this.heartbeatIntervalMs / 2));
    this.presenceTimer = setTimeout(() => {
      this.scheduleResync(0);
      this.presenceLoop();
    }, every);
  }

  // ---- event stream ---------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) return;
    const token = auth.token();
    if (!token) return;
    this.es?.close();
    const es = new EventSource(url('/proctor/events', { access_token: token }));
    this.es = es;
    es.addEventListener('hello', (e) => {
      const hello = JSON.parse((e as MessageEvent<string>).data) as { serverTime?: number };
      if (typeof hello.serverTime === 'number') this.offset = hello.serverTime - Date.now();
      const wasDown = this.connection === 'reconnecting';
      this.connection = 'live';
      this.retry = 0;
      this.error = null;
      // Whatever happened while we were away: fetch the room again.
      if (wasDown) {
        void this.resync(true);
        void this.loadAlerts();
      }
      this.notify();
    });
    es.addEventListener('message', (e) => {
      try {
        this.apply(JSON.parse((e as MessageEvent<string>).data) as LiveEventMsg);
      } catch {
        /* a malformed event is ignored */
      }
    });
    es.onerror = () => {
      // Take over reconnection (EventSource's own retry has no backoff and can't refresh the room).
      es.close();
      if (this.es !== es || this.stopped) return;
      this.connection = 'reconnecting';
      this.notify();
      const delay = Math.min(30_000, 1_000 * 2 ** this.retry) * (0.75 + Math.random() * 0.5);
      this.retry++;
      this.retryTimer = setTimeout(() => {
        // A signed-out token shows up here as a 401 on the next API call (which signs the tab out).
        void api.get('/sessions/count').then(
          () => this.connect(),
          () => this.connect(),
        );
      }, delay);
    };
  }

  /** Applies one live event: patch the tile now, fetch what the event does not carry later. */
  apply(ev: LiveEventMsg): void {
    const at = Date.parse(ev.at);
    this.lastEventAt = Date.now();
    if ((ev.type === 'session.changed' || ev.type === 'session.started') && ev.attemptId) {
      const t = this.tiles.get(ev.attemptId);
      const d = ev.data ?? {};
      if (t) {
        const s: LiveSession = { ...t.s };
        if (d.status) s.status = d.status;
        if (typeof d.isLocked === 'boolean') s.isLocked = d.isLocked;
        if (d.pauseKind !== undefined) s.pauseKind = d.pauseKind;
        if (typeof d.timeRemaining === 'number') s.timeRemaining = d.timeRemaining;
        if (d.action === 'transfer') s.transferPending = true;
        if (s.status === 'active' && t.s.status !== 'active') {
          s.online = true;
        }
        if (!s.isLocked) s.lockReason = null;
        const seenAt = s.status === 'active' && t.s.status !== 'active' ? at : t.seenAt;
        this.tiles.set(ev.attemptId, { s, asOf: Number.isNaN(at) ? this.now() : at, seenAt, version: t.version + 1, changedAt: this.now() });
      }
      // Lock reason, transfer, device after a claim, a new session...: the full row follows shortly.
      this.scheduleResync(t ? 1_000 : 150);
      this.notify();
    } else if (ev.type === 'alert') {
      this.scheduleAlerts();
    } else if (ev.type === 'alert.acknowledged' && ev.data?.id) {
      const id = ev.data.id;
      this.alerts = this.alerts.filter((a) => a.id !== id);
      this.scheduleResync(500);
      this.notify();
    } else if (ev.type === 'presence' && ev.data?.seen) {
      // The server batches last-seen times per room (about once a second).
      for (const [id, iso] of Object.entries(ev.data.seen)) {
        const t = this.tiles.get(id);
        const ms = Date.parse(iso);
        if (t && !Number.isNaN(ms)) this.tiles.set(id, { ...t, seenAt: ms, s: { ...t.s, online: true }, version: t.version + 1 });
      }
      this.notify();
    }
  }

  // ---- fetching -------------------------------------------------------------------------

  private scheduleResync(delay: number): void {
    if (this.resyncTimer) return;
    // Never more than one full fetch every 2 s, however busy the room.
    const wait = Math.max(delay, 2_000 - (Date.now() - this.lastResync));
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = null;
      void this.resync();
    }, wait);
  }

  async resync(force = false): Promise<void> {
    if (this.resyncing && !force) return this.resyncing;
    this.lastResync = Date.now();
    const run = (async () => {
      try {
        const sent = Date.now();
        const r = await api.get<{ sessions: LiveSession[]; heartbeatIntervalMs: number; serverTime: number }>('/proctor/sessions', { includeFinished: 'true' });
        const rtt = Date.now() - sent;
        this.offset = r.serverTime + rtt / 2 - Date.now();
        if (r.heartbeatIntervalMs !== this.heartbeatIntervalMs) this.heartbeatIntervalMs = r.heartbeatIntervalMs;
        const next = new Map<string, TileData>();
        for (const s of r.sessions) {
          const old = this.tiles.get(s.attemptId);
          const seenAt = s.lastHeartbeatAt ? Date.parse(s.lastHeartbeatAt) : null;
          const same = old && sameRow(old.s, s) && old.seenAt === seenAt;
          next.set(
            s.attemptId,
            same && old ? { ...old, s, asOf: r.serverTime } : { s, asOf: r.serverTime, seenAt, version: (old?.version ?? 0) + 1, changedAt: old && !sameState(old.s, s) ? this.now() : (old?.changedAt ?? 0) },
          );
        }
        this.tiles = next;
        this.loaded = true;
        this.error = null;
        if (this.history.length === 0) this.sample();
      } catch (e) {
        this.error = (e as Error).message;
      } finally {
        this.resyncing = null;
        this.notify();
      }
    })();
    this.resyncing = run;
    return run;
  }

  private scheduleAlerts(): void {
    if (this.alertsTimer) return;
    this.alertsTimer = setTimeout(() => {
      this.alertsTimer = null;
      void this.loadAlerts();
      this.scheduleResync(0);
    }, 100);
  }

  async loadAlerts(): Promise<void> {
    try {
      const r = await api.get<{ alerts: Alert[] }>('/proctor/alerts', { state: 'open', limit: 200 });
      this.alerts = r.alerts.sort((a, b) => b.at.localeCompare(a.at));
    } catch (e) {
      this.error = (e as Error).message;
    }
    this.notify();
  }

  async ack(id: string): Promise<void> {
    await api.post(`/proctor/alerts/${encodeURIComponent(id)}/ack`);
    this.alerts = this.alerts.filter((a) => a.id !== id);
    this.notify();
  }

  /** Replaces one row with the server's answer to an action. */
  put(row: LiveSession): void {
    const old = this.tiles.get(row.attemptId);
    // An action's answer may not carry the candidate's name: keep the one we have.
    const s = old && !row.candidate.name ? { ...row, candidate: { ...row.candidate, name: old.s.candidate.name } } : row;
    this.tiles.set(s.attemptId, { s, asOf: this.now(), seenAt: s.lastHeartbeatAt ? Date.parse(s.lastHeartbeatAt) : null, version: (old?.version ?? 0) + 1, changedAt: this.now() });
    this.notify();
  }

  // ---- derived --------------------------------------------------------------------------

  secondsSince(t: TileData, now = this.now()): number | null {
    return t.seenAt === null ? null : Math.max(0, Math.floor((now - t.seenAt) / 1000));
  }

  /** The exam clock runs only while the session is active and unlocked. */
  remaining(t: TileData, now = this.now()): number {
    const running = t.s.status === 'active' && !t.s.isLocked;
    return Math.max(0, running ? t.s.timeRemaining - Math.floor((now - t.asOf) / 1000) : t.s.timeRemaining);
  }

  statusOf(t: TileData, now = this.now()): TileStatus {
    return tileStatus(t.s, this.secondsSince(t, now));
  }

  counts(list: Iterable<TileData> = this.tiles.values()): Record<TileStatus, number> {
    const c = Object.fromEntries(TILE_STATUSES.map((k) => [k, 0])) as Record<TileStatus, number>;
    const now = this.now();
    for (const t of list) c[this.statusOf(t, now)]++;
    return c;
  }

  private sample(): void {
    const now = this.now();
    const ages: number[] = [];
    for (const t of this.tiles.values()) {
      if (t.s.status !== 'active') continue;
      const a = this.secondsSince(t, now);
      if (a !== null) ages.push(a);
    }
    ages.sort((a, b) => a - b);
    this.history.push({ t: now, counts: this.counts(), hbMedian: ages.length ? ages[Math.floor(ages.length / 2)]! : null, hbMax: ages.length ? ages[ages.length - 1]! : null });
    if (this.history.length > 720) this.history.splice(0, this.history.length - 720);
  }
}

function sameState(a: LiveSession, b: LiveSession): boolean {
  return a.status === b.status && a.isLocked === b.isLocked && a.online === b.online && a.transferPending === b.transferPending;
}

function sameRow(a: LiveSession, b: LiveSession): boolean {
  return (
    sameState(a, b) &&
    a.timeRemaining === b.timeRemaining &&
    a.openAlerts === b.openAlerts &&
    a.seat === b.seat &&
    a.roomId === b.roomId &&
    a.lockReason === b.lockReason &&
    a.pauseKind === b.pauseKind &&
    a.device.fingerprint === b.device.fingerprint &&
    a.device.browser === b.device.browser
  );
}
