import type { Database } from '../../ports/database.ts';
import type { Repos } from '../../ports/repositories.ts';
import { SqliteGate } from './gate.ts';
import type { Db } from './open.ts';
import { SqliteAlerts } from './repositories/alerts.ts';
import { SqliteAnswers } from './repositories/answers.ts';
import { SqliteOfflineBundles } from './repositories/offline-bundles.ts';
import { SqliteAudit } from './repositories/audit.ts';
import { SqliteExamSessions } from './repositories/exam-sessions.ts';
import { SqliteExams } from './repositories/exams.ts';
import { SqliteInstructions } from './repositories/instructions.ts';
import { SqliteLoginSessions } from './repositories/login-sessions.ts';
import { SqlitePlaces } from './repositories/places.ts';
import { SqliteRegistrations } from './repositories/registrations.ts';
import { SqliteReview } from './repositories/review.ts';
import { SqliteMarks } from './repositories/marks.ts';
import { SqliteRoster } from './repositories/roster.ts';
import { SqliteSettings } from './repositories/settings.ts';
import { SqliteStaff } from './repositories/staff.ts';
import { SqliteRoomOps } from './repositories/room-ops.ts';
import type { Sync } from './sync.ts';

type SyncRepos = { [K in keyof Repos]: Sync<Repos[K]> };

/** Every public method of a synchronous repository, each made async through `call`. */
function wrap<T extends object>(repo: T, call: <R>(fn: () => R) => Promise<R>): T {
  const out: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(repo))) {
    const fn = (repo as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof fn !== 'function') continue;
    out[name] = (...args: unknown[]) => call(() => (fn as (...a: unknown[]) => unknown).apply(repo, args));
  }
  return out as T;
}

function wrapAll(sync: SyncRepos, call: <R>(fn: () => R) => Promise<R>): Repos {
  return Object.fromEntries(Object.entries(sync).map(([k, repo]) => [k, wrap(repo as object, call)])) as unknown as Repos;
}

/** Inside a unit of work: straight onto the connection (the gate already holds it). */
function direct<R>(fn: () => R): Promise<R> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The embedded default: every repository on one better-sqlite3 connection, behind the gate. */
export class SqliteDatabase implements Database {
  readonly repos: Repos;
  private readonly inside: Repos;
  private readonly gate: SqliteGate;

  constructor(readonly db: Db) {
    const sync: SyncRepos = {
      staff: new SqliteStaff(db),
      loginSessions: new SqliteLoginSessions(db),
      exams: new SqliteExams(db),
      registrations: new SqliteRegistrations(db),
      roster: new SqliteRoster(db),
      examSessions: new SqliteExamSessions(db),
      answers: new SqliteAnswers(db),
      audit: new SqliteAudit(db),
      alerts: new SqliteAlerts(db),
      instructions: new SqliteInstructions(db),
      settings: new SqliteSettings(db),
      places: new SqlitePlaces(db),
      review: new SqliteReview(db),
      offlineBundles: new SqliteOfflineBundles(db),
      roomOps: new SqliteRoomOps(db),
      marks: new SqliteMarks(db),
    };
    this.gate = new SqliteGate(db.$client);
    this.repos = wrapAll(sync, (fn) => this.gate.run(fn));
    this.inside = wrapAll(sync, direct);
  }

  tx<T>(fn: (r: Repos) => Promise<T>): Promise<T> {
    return this.gate.tx(() => fn(this.inside));
  }

  ping(): Promise<boolean> {
    return this.gate.run(() => this.db.$client.prepare('SELECT 1').pluck().get() === 1);
  }

  close(): Promise<void> {
    return this.gate.run(() => {
      this.db.$client.close();
    });
  }
}
