import type pg from 'pg';
import type { Database } from '../../ports/database.ts';
import type { Repos } from '../../ports/repositories.ts';
import { mapPgError } from './errors.ts';
import { Exec, transaction } from './exec.ts';
import { PgAlerts } from './repositories/alerts.ts';
import { PgAnswers } from './repositories/answers.ts';
import { PgOfflineBundles } from './repositories/offline-bundles.ts';
import { PgAudit } from './repositories/audit.ts';
import { PgExamSessions } from './repositories/exam-sessions.ts';
import { PgExams } from './repositories/exams.ts';
import { PgInstructions } from './repositories/instructions.ts';
import { PgLoginSessions } from './repositories/login-sessions.ts';
import { PgPlaces } from './repositories/places.ts';
import { PgRegistrations } from './repositories/registrations.ts';
import { PgReview } from './repositories/review.ts';
import { PgMarks } from './repositories/marks.ts';
import { PgRoster } from './repositories/roster.ts';
import { PgSettings } from './repositories/settings.ts';
import { PgStaff } from './repositories/staff.ts';
import { PgRoomOps } from './repositories/room-ops.ts';

/** Every public method of a repository, its errors mapped to the port's (UniqueViolation, StorageUnavailable). */
function mapped<T extends object>(repo: T): T {
  const out: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(repo))) {
    const fn = (repo as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof fn !== 'function') continue;
    out[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>).apply(repo, args);
      } catch (e) {
        throw mapPgError(e);
      }
    };
  }
  return out as T;
}

function repositories(x: Exec): Repos {
  return {
    staff: mapped(new PgStaff(x)),
    loginSessions: mapped(new PgLoginSessions(x)),
    exams: mapped(new PgExams(x)),
    registrations: mapped(new PgRegistrations(x)),
    roster: mapped(new PgRoster(x)),
    examSessions: mapped(new PgExamSessions(x)),
    answers: mapped(new PgAnswers(x)),
    audit: mapped(new PgAudit(x)),
    alerts: mapped(new PgAlerts(x)),
    instructions: mapped(new PgInstructions(x)),
    settings: mapped(new PgSettings(x)),
    places: mapped(new PgPlaces(x)),
    review: mapped(new PgReview(x)),
    offlineBundles: mapped(new PgOfflineBundles(x)),
    roomOps: mapped(new PgRoomOps(x)),
    marks: mapped(new PgMarks(x)),
  };
}

/**
 * The repositories on PostgreSQL, on a pool of connections. `repos` runs each call on the pool;
 * `tx` takes one connection for the unit of work (BEGIN … COMMIT, ROLLBACK when `fn` throws) and
 * hands `fn` repositories bound to it, so `getForUpdate`'s row locks hold until it ends, across
 * any number of server processes.
 */
export class PostgresDatabase implements Database {
  readonly repos: Repos;

  constructor(
    private readonly pool: pg.Pool,
    /** How many migrations this open applied (0 when another instance had applied them). */
    readonly migrationsApplied = 0,
  ) {
    this.repos = repositories(Exec.onPool(pool));
  }

  async tx<T>(fn: (r: Repos) => Promise<T>): Promise<T> {
    try {
      return await transaction(this.pool, (client) => fn(repositories(Exec.onClient(this.pool, client))));
    } catch (e) {
      throw mapPgError(e);
    }
  }

  async ping(): Promise<boolean> {
    try {
      const r = await this.pool.query<{ one: number }>('SELECT 1 AS one');
      return r.rows[0]?.one === 1;
    } catch {
      return false;
    }
  }

  private closing: Promise<void> | undefined;

  /** Ends the pool (once; later calls wait for the same end). */
  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
