import type { Database } from '../../ports/database.ts';
import type { ExamSessionRepo, LoginSessionRepo, Repos } from '../../ports/repositories.ts';
import type { AuthSessionRecord, PresenceFlush, SessionRecord } from '../../ports/types.ts';

/**
 * The hot path's reads held in this process's memory: exam sessions by attempt id and logins by
 * token hash (every heartbeat and every answer save reads both). Only for a process that is the
 * database's sole writer (no REDIS_URL: the instance lock guarantees it), because every write then
 * passes through here:
 *
 * - a write of an exam session or a login drops its cached copy at once, and again when the unit
 *   of work it ran in has ended (committed or rolled back);
 * - a read that was under way while anything was dropped does not fill the cache (an epoch
 *   counter), so an answer read before a commit can never be cached after it;
 * - inside a unit of work reads go to the database (they may see its own uncommitted writes);
 * - presence and activity flushes (each second) update the cached copies the way the database
 *   updates its rows, instead of dropping them, so a session's next heartbeat still finds it;
 * - every caller gets its own copy, so nobody can change what another one reads.
 *
 * With REDIS_URL several processes write the same database and this cache is not used.
 */
export interface ReadCacheOptions {
  maxSessions?: number;
  maxLogins?: number;
  /**
   * A cached copy older than this is read again: what somebody changed behind the server's back
   * (an operator's sqlite3 shell) is seen within it. Default 60 s.
   */
  maxAgeMs?: number;
  now?: () => number;
}

interface Held<T> {
  rec: T;
  at: number;
}

const copySession = (r: SessionRecord): SessionRecord => ({ ...r, state: { ...r.state } });
const copyLogin = (r: AuthSessionRecord): AuthSessionRecord => ({ ...r });

class Cache {
  readonly sessions = new Map<string, Held<SessionRecord>>();
  readonly logins = new Map<string, Held<AuthSessionRecord>>();
  /** login id → token hash, for activity flushes. */
  readonly loginHash = new Map<string, string>();
  epoch = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxSessions: number,
    readonly maxLogins: number,
    readonly maxAgeMs: number,
    readonly now: () => number,
  ) {}

  /** The held copy when it is young enough; an old one is dropped. */
  fresh<T>(map: Map<string, Held<T>>, key: string): T | undefined {
    const h = map.get(key);
    if (!h) return undefined;
    const age = this.now() - h.at;
    if (age >= 0 && age < this.maxAgeMs) return h.rec;
    map.delete(key);
    return undefined;
  }

  dropSession(attemptId: string): void {
    this.epoch += 1;
    this.sessions.delete(attemptId);
  }

  dropLogins(): void {
    this.epoch += 1;
    this.logins.clear();
    this.loginHash.clear();
  }

  putSession(rec: SessionRecord): void {
    if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(rec.attemptId, { rec, at: this.now() });
  }

  putLogin(tokenHash: string, rec: AuthSessionRecord): void {
    if (this.logins.size >= this.maxLogins) {
      const oldest = this.logins.keys().next().value!;
      const old = this.logins.get(oldest);
      this.logins.delete(oldest);
      if (old) this.loginHash.delete(old.rec.id);
    }
    this.logins.set(tokenHash, { rec, at: this.now() });
    this.loginHash.set(rec.id, tokenHash);
  }

  presence(batch: PresenceFlush[]): void {
    this.epoch += 1;
    for (const p of batch) {
      const h = this.sessions.get(p.attemptId);
      if (!h) continue;
      const r = h.rec;
      h.rec = { ...r, lastActivityAt: Math.max(r.lastActivityAt, p.lastSeenAt), lastSeq: Math.max(r.lastSeq, p.seq), heartbeatCount: r.heartbeatCount + p.beats };
    }
  }

  activity(batch: { id: string; lastActivity: number }[]): void {
    this.epoch += 1;
    for (const b of batch) {
      const hash = this.loginHash.get(b.id);
      const h = hash === undefined ? undefined : this.logins.get(hash);
      if (h) h.rec = { ...h.rec, lastActivity: Math.max(h.rec.lastActivity, b.lastActivity) };
    }
  }
}

/** Exam sessions through the cache; `touched` collects what a unit of work wrote (null: not in one). */
function sessionsRepo(inner: ExamSessionRepo, cache: Cache, touched: Set<string> | null): ExamSessionRepo {
  const inTx = touched !== null;
  const wrote = (attemptId: string) => {
    cache.dropSession(attemptId);
    touched?.add(attemptId);
  };
  return {
    ...inner,
    insert: async (rec, now) => {
      wrote(rec.attemptId);
      await inner.insert(rec, now);
      cache.dropSession(rec.attemptId);
    },
    update: async (rec, now) => {
      wrote(rec.attemptId);
      await inner.update(rec, now);
      cache.dropSession(rec.attemptId);
    },
    recordPresence: async (batch) => {
      await inner.recordPresence(batch);
      cache.presence(batch);
    },
    get: async (attemptId, candidateId) => {
      if (inTx) return inner.get(attemptId, candidateId);
      const hit = cache.fresh(cache.sessions, attemptId);
      if (hit) {
        cache.hits += 1;
        return candidateId === undefined || hit.candidateId === candidateId ? copySession(hit) : undefined;
      }
      cache.misses += 1;
      const epoch = cache.epoch;
      const rec = await inner.get(attemptId);
      if (rec && cache.epoch === epoch) cache.putSession(copySession(rec));
      return rec && (candidateId === undefined || rec.candidateId === candidateId) ? rec : undefined;
    },
  };
}

/** Logins through the cache: any write but an activity flush drops every cached login. */
function loginsRepo(inner: LoginSessionRepo, cache: Cache, touchedLogins: { any: boolean } | null): LoginSessionRepo {
  const inTx = touchedLogins !== null;
  const changing =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      cache.dropLogins();
      if (touchedLogins) touchedLogins.any = true;
      try {
        return await fn(...a);
      } finally {
        cache.dropLogins();
      }
    };
  return {
    ...inner,
    pin: changing(inner.pin.bind(inner)),
    endPinned: changing(inner.endPinned.bind(inner)),
    revoke: changing(inner.revoke.bind(inner)),
    revokeAll: changing(inner.revokeAll.bind(inner)),
    cleanup: changing(inner.cleanup.bind(inner)),
    // A new login's token was never cached (misses are not kept): nothing to drop.
    touch: async (batch) => {
      await inner.touch(batch);
      cache.activity(batch);
    },
    findByTokenHash: async (tokenHash, o) => {
      if (inTx) return inner.findByTokenHash(tokenHash);
      const hit = o?.fresh ? undefined : cache.fresh(cache.logins, tokenHash);
      if (hit) {
        cache.hits += 1;
        return copyLogin(hit);
      }
      cache.misses += 1;
      const epoch = cache.epoch;
      const rec = await inner.findByTokenHash(tokenHash);
      if (cache.epoch === epoch) {
        if (rec) cache.putLogin(tokenHash, copyLogin(rec));
        else cache.logins.delete(tokenHash);
      }
      return rec;
    },
  };
}

/** The database with the read cache in front (see above). */
export function withReadCache(db: Database, o: ReadCacheOptions = {}): Database & { readonly inner: Database; readonly cacheStats: { hits: number; misses: number; sessions: number; logins: number } } {
  const cache = new Cache(o.maxSessions ?? 200_000, o.maxLogins ?? 200_000, o.maxAgeMs ?? 60_000, o.now ?? Date.now);
  const outside: Repos = { ...db.repos, examSessions: sessionsRepo(db.repos.examSessions, cache, null), loginSessions: loginsRepo(db.repos.loginSessions, cache, null) };
  return {
    repos: outside,
    tx: async <T>(fn: (r: Repos) => Promise<T>): Promise<T> => {
      const touched = new Set<string>();
      const logins = { any: false };
      try {
        return await db.tx((r) => fn({ ...r, examSessions: sessionsRepo(r.examSessions, cache, touched), loginSessions: loginsRepo(r.loginSessions, cache, logins) }));
      } finally {
        // Committed or rolled back: what the unit wrote is read afresh from now on.
        for (const id of touched) cache.dropSession(id);
        if (logins.any) cache.dropLogins();
      }
    },
    inner: db,
    ping: () => db.ping(),
    close: () => db.close(),
    get cacheStats() {
      return { hits: cache.hits, misses: cache.misses, sessions: cache.sessions.size, logins: cache.logins.size };
    },
  };
}
