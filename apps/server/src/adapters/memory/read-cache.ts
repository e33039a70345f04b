import type { Database } from '../../ports/database.ts';
import type { ExamSessionRepo, LoginSessionRepo, Repos } from '../../ports/repositories.ts';
import { isWriting, type CopyCheck, type Stamps } from '../../ports/stamps.ts';
import type { AuthSessionRecord, PresenceFlush, SessionRecord } from '../../ports/types.ts';

/**
 * The hot path's reads held in this process's memory: exam sessions by attempt id and logins by
 * token hash (every heartbeat and every answer save reads both).
 *
 * Alone on the database (no REDIS_URL: the instance lock guarantees it), every write passes
 * through here:
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
 * With REDIS_URL several processes write the same database: then each copy is held with the
 * version stamps (ports/stamps.ts) it was read under, and served only while they are still current
 * (one Redis call instead of a database read):
 *
 * - an exam session's stamp `s:<attempt>` changes with every insert or update of its row (marked
 *   "being written" just before the unit of work commits, new once it has ended);
 * - a login's copy depends on `l:<login>` (revoked by id), `u:<user>` (all of a user's revoked) and,
 *   while pinned, `p:<attempt>` (its attempt ended: the login now has a deadline). A pin and the
 *   cleanup of expired logins only ever make a login last longer or end as its copy already says,
 *   and the authenticator reads a login afresh before refusing it for a deadline, so they change
 *   no stamp;
 * - a copy is read under the stamps taken before the row (never after), and nothing is cached
 *   under a "being written" stamp;
 * - the seq floor of a copy may lag the database by the flushes of up to `maxAgeMs`: the floor only
 *   matters when Redis lost its presence entries, and then it lost the stamps too (a missing stamp
 *   is made anew: every copy is read again); when the connection to Redis drops, every copy goes.
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
  /** Several processes on the database (REDIS_URL): the stamps that say whether a copy is current. */
  stamps?: Stamps;
}

interface Held<T> {
  rec: T;
  at: number;
  /** The stamp a session was read under (with `stamps` only). */
  stamp?: string;
  /** The stamps a login was read under, key by key, as `held` hands them out (with `stamps` only). */
  checks?: CopyCheck[];
}

const sessionKey = (attemptId: string) => `s:${attemptId}`;
const loginKeys = (r: AuthSessionRecord): string[] => [`l:${r.id}`, `u:${r.userId}`, ...(r.pinnedAttemptId ? [`p:${r.pinnedAttemptId}`] : [])];
const sameKeys = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

const copySession = (r: SessionRecord): SessionRecord => ({ ...r, state: { ...r.state } });
const copyLogin = (r: AuthSessionRecord): AuthSessionRecord => ({ ...r });

class Cache {
  readonly sessions = new Map<string, Held<SessionRecord>>();
  readonly logins = new Map<string, Held<AuthSessionRecord>>();
  /** login id → token hash, for activity flushes. */
  readonly loginHash = new Map<string, string>();
  /** token hash → the stamps its login depended on when last read (with stamps only). */
  readonly loginKeysOf = new Map<string, string[]>();
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
  held<T>(map: Map<string, Held<T>>, key: string): Held<T> | undefined {
    const h = map.get(key);
    if (!h) return undefined;
    const age = this.now() - h.at;
    if (age >= 0 && age < this.maxAgeMs) return h;
    map.delete(key);
    return undefined;
  }

  rememberKeys(tokenHash: string, keys: string[]): void {
    if (this.loginKeysOf.size >= this.maxLogins) this.loginKeysOf.delete(this.loginKeysOf.keys().next().value!);
    this.loginKeysOf.set(tokenHash, keys);
  }

  /** Everything goes (the stamps' connection was lost). */
  clear(): void {
    this.epoch += 1;
    this.sessions.clear();
    this.dropLogins();
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

  putSession(rec: SessionRecord, stamp?: string): void {
    if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(rec.attemptId, { rec, at: this.now(), ...(stamp === undefined ? {} : { stamp }) });
  }

  putLogin(tokenHash: string, rec: AuthSessionRecord, stamps?: readonly string[]): void {
    if (this.logins.size >= this.maxLogins) {
      const oldest = this.logins.keys().next().value!;
      const old = this.logins.get(oldest);
      this.logins.delete(oldest);
      if (old) this.loginHash.delete(old.rec.id);
    }
    this.logins.set(tokenHash, { rec, at: this.now(), ...(stamps === undefined ? {} : { checks: loginKeys(rec).map((key, i) => ({ key, stamp: stamps[i]! })) }) });
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

/**
 * What a unit of work changed (null outside one): dropped locally at its end, and with stamps the
 * keys marked "being written" before it commits and given new stamps after.
 */
interface Unit {
  sessions: Set<string>;
  logins: { any: boolean };
  keys: Set<string>;
}

/**
 * A change made outside a unit of work, with stamps: marked before, new stamps after (whether or
 * not it went through). Inside one, the keys are collected for the unit's end.
 */
async function changing<R>(stamps: Stamps | undefined, unit: Unit | null, keys: readonly string[], fn: () => Promise<R>): Promise<R> {
  if (!stamps || keys.length === 0) return fn();
  if (unit) {
    for (const k of keys) unit.keys.add(k);
    return fn();
  }
  await stamps.writing(keys);
  try {
    return await fn();
  } finally {
    await stamps.bump(keys).catch(() => undefined); // the "being written" marks expire by themselves
  }
}

/** Exam sessions through the cache. */
function sessionsRepo(inner: ExamSessionRepo, cache: Cache, unit: Unit | null, stamps: Stamps | undefined): ExamSessionRepo {
  const write = async (attemptId: string, fn: () => Promise<void>) => {
    cache.dropSession(attemptId);
    unit?.sessions.add(attemptId);
    await changing(stamps, unit, [sessionKey(attemptId)], fn);
    cache.dropSession(attemptId);
  };
  const mine = (rec: SessionRecord | undefined, candidateId: string | undefined) => (rec && (candidateId === undefined || rec.candidateId === candidateId) ? rec : undefined);
  return {
    ...inner,
    insert: (rec, now) => write(rec.attemptId, () => inner.insert(rec, now)),
    update: (rec, now) => write(rec.attemptId, () => inner.update(rec, now)),
    recordPresence: async (batch) => {
      await inner.recordPresence(batch);
      cache.presence(batch);
    },
    ...(stamps && !unit
      ? {
          held: (attemptId: string, candidateId?: string) => {
            const h = cache.held(cache.sessions, attemptId);
            if (!h || h.stamp === undefined) return undefined;
            const rec = mine(copySession(h.rec), candidateId);
            return rec ? { rec, check: { key: sessionKey(attemptId), stamp: h.stamp } } : undefined;
          },
        }
      : {}),
    get: async (attemptId, candidateId) => {
      if (unit) return inner.get(attemptId, candidateId);
      const epoch = cache.epoch;
      const stamp = stamps ? (await stamps.read([sessionKey(attemptId)]))[0]! : undefined;
      const hit = cache.held(cache.sessions, attemptId);
      if (hit && hit.stamp === stamp) {
        cache.hits += 1;
        return mine(copySession(hit.rec), candidateId);
      }
      cache.misses += 1;
      const rec = await inner.get(attemptId);
      if (rec && cache.epoch === epoch && !(stamp !== undefined && isWriting(stamp))) cache.putSession(copySession(rec), stamp);
      return mine(rec, candidateId);
    },
  };
}

/**
 * Logins through the cache. Alone on the database any write but an activity flush drops every
 * cached login; with stamps the writes change the stamps their logins' copies depend on.
 */
function loginsRepo(inner: LoginSessionRepo, cache: Cache, unit: Unit | null, stamps: Stamps | undefined): LoginSessionRepo {
  const changes =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>, keys: (...a: A) => string[]) =>
    async (...a: A): Promise<R> => {
      cache.dropLogins();
      if (unit) unit.logins.any = true;
      try {
        return await changing(stamps, unit, keys(...a), () => fn(...a));
      } finally {
        cache.dropLogins();
      }
    };
  const none = (..._args: unknown[]): string[] => [];
  /** The login, put in the cache under `stamp` (read before it) when nothing changed meanwhile. */
  const fill = async (tokenHash: string, epoch: number, keys: readonly string[] | null, stamp: readonly string[] | undefined): Promise<AuthSessionRecord | undefined> => {
    const rec = await inner.findByTokenHash(tokenHash);
    if (cache.epoch !== epoch) return rec;
    if (!rec) cache.logins.delete(tokenHash);
    else if (!stamp) cache.putLogin(tokenHash, copyLogin(rec));
    else if (keys && sameKeys(keys, loginKeys(rec)) && !stamp.some(isWriting)) cache.putLogin(tokenHash, copyLogin(rec), stamp);
    else cache.rememberKeys(tokenHash, loginKeys(rec)); // depends on other stamps now (pinned, unpinned): next time
    return rec;
  };
  return {
    ...inner,
    pin: changes(inner.pin.bind(inner), none),
    endPinned: changes(inner.endPinned.bind(inner), (attemptId) => [`p:${attemptId}`]),
    revoke: changes(inner.revoke.bind(inner), (ids) => ids.map((id) => `l:${id}`)),
    revokeAll: changes(inner.revokeAll.bind(inner), (userId) => [`u:${userId}`]),
    cleanup: changes(inner.cleanup.bind(inner), none),
    ...(stamps && !unit
      ? {
          held: (tokenHash: string) => {
            const h = cache.held(cache.logins, tokenHash);
            return h?.checks ? { rec: copyLogin(h.rec), checks: h.checks } : undefined;
          },
        }
      : {}),
    // A new login's token was never cached (misses are not kept): nothing to drop.
    touch: async (batch) => {
      await inner.touch(batch);
      cache.activity(batch);
    },
    findByTokenHash: async (tokenHash, o) => {
      if (unit) return inner.findByTokenHash(tokenHash);
      const epoch = cache.epoch;
      const held = o?.fresh ? undefined : cache.held(cache.logins, tokenHash);
      if (!stamps) {
        if (held) {
          cache.hits += 1;
          return copyLogin(held.rec);
        }
        cache.misses += 1;
        return fill(tokenHash, epoch, null, undefined);
      }
      if (held?.checks) {
        const keys = held.checks.map((c) => c.key);
        const now = await stamps.read(keys);
        if (held.checks.every((c, i) => c.stamp === now[i]) && cache.logins.get(tokenHash) === held) {
          cache.hits += 1;
          return copyLogin(held.rec);
        }
        // Changed: the stamps just read were read before the row is.
        cache.misses += 1;
        return fill(tokenHash, epoch, keys, now);
      }
      cache.misses += 1;
      // Which stamps a login depends on shows only in its row. The first time a token is seen its row
      // is read and only those keys are kept; the next time its stamps are read first, then the row,
      // which is then kept under them.
      const keys = cache.loginKeysOf.get(tokenHash);
      if (!keys) {
        const first = await inner.findByTokenHash(tokenHash);
        if (first) cache.rememberKeys(tokenHash, loginKeys(first));
        return first;
      }
      return fill(tokenHash, epoch, keys, await stamps.read(keys));
    },
  };
}

/** The database with the read cache in front (see above). */
export function withReadCache(db: Database, o: ReadCacheOptions = {}): Database & { readonly inner: Database; readonly cacheStats: { hits: number; misses: number; sessions: number; logins: number } } {
  const cache = new Cache(o.maxSessions ?? 200_000, o.maxLogins ?? 200_000, o.maxAgeMs ?? 60_000, o.now ?? Date.now);
  const { stamps } = o;
  stamps?.onLost(() => cache.clear());
  const outside: Repos = { ...db.repos, examSessions: sessionsRepo(db.repos.examSessions, cache, null, stamps), loginSessions: loginsRepo(db.repos.loginSessions, cache, null, stamps) };
  return {
    repos: outside,
    tx: async <T>(fn: (r: Repos) => Promise<T>): Promise<T> => {
      const unit: Unit = { sessions: new Set(), logins: { any: false }, keys: new Set() };
      try {
        return await db.tx(async (r) => {
          const out = await fn({ ...r, examSessions: sessionsRepo(r.examSessions, cache, unit, stamps), loginSessions: loginsRepo(r.loginSessions, cache, unit, stamps) });
          // Just before the commit: no process caches these rows until the new stamps are out.
          if (stamps && unit.keys.size) await stamps.writing([...unit.keys]);
          return out;
        });
      } finally {
        // Committed or rolled back: what the unit wrote is read afresh from now on.
        for (const id of unit.sessions) cache.dropSession(id);
        if (unit.logins.any) cache.dropLogins();
        if (stamps && unit.keys.size) await stamps.bump([...unit.keys]).catch(() => undefined); // the marks expire by themselves
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
