import type { Question } from '@invigil/contract';
import { silenceMs } from '@invigil/core';
import type { Config } from '../config.ts';
import type { Database } from '../ports/database.ts';
import type { Invalidations } from '../ports/invalidation.ts';
import type { ExamRecord } from '../ports/types.ts';

export interface CachedExam extends ExamRecord {
  questionsById: Map<string, Question>;
}

/** The rules a session of this exam runs under: the server's settings with the exam's overrides on top. */
export interface SessionPolicy {
  heartbeatIntervalMs: number;
  missedHeartbeatsBeforePause: number;
  maxRecoveryAttempts: number;
  pausedSessionTtlMs: number;
  /** interval × missed beats: silent this long counts as offline and is auto-paused. */
  silenceMs: number;
}

/**
 * Exams are read on every answer save and change rarely, so they are cached. An edit made through
 * any process is announced on the invalidation port and every process drops its copy.
 */
export class ExamCatalog {
  private readonly cache = new Map<string, CachedExam>();
  /** The silence threshold of each cached exam, worked out once per cached copy (see cachedSilenceMs). */
  private readonly silence = new WeakMap<CachedExam, number>();
  /** Bumped by each invalidation, so a load that raced an edit is not kept. */
  private readonly versions = new Map<string, number>();

  constructor(private readonly d: { db: Database; invalidations: Invalidations; config: Config }) {
    d.invalidations.subscribe('exam', (id) => this.drop(id));
  }

  private drop(id: string): void {
    this.cache.delete(id);
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
  }

  async get(id: string): Promise<CachedExam | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const version = this.versions.get(id) ?? 0;
    const exam = await this.d.db.repos.exams.get(id);
    if (!exam) return undefined;
    const cached = { ...exam, questionsById: new Map(exam.questions.map((q) => [q.id, q])) };
    if ((this.versions.get(id) ?? 0) === version) this.cache.set(id, cached);
    return cached;
  }

  /** Tells every process (this one included) that the exam changed. */
  invalidate(id: string): Promise<void> {
    this.drop(id);
    return this.d.invalidations.publish('exam', id);
  }

  policyOf(exam: Pick<ExamRecord, 'policy'> | undefined): SessionPolicy {
    const o = exam?.policy ?? {};
    const c = this.d.config;
    const p = {
      heartbeatIntervalMs: o.heartbeatIntervalMs ?? c.HEARTBEAT_INTERVAL_MS,
      missedHeartbeatsBeforePause: o.missedHeartbeatsBeforePause ?? c.MISSED_HEARTBEATS_BEFORE_PAUSE,
      maxRecoveryAttempts: o.maxRecoveryAttempts ?? c.MAX_RECOVERY_ATTEMPTS,
      pausedSessionTtlMs: o.pausedSessionTtlMs ?? c.PAUSED_SESSION_TTL_MS,
    };
    return { ...p, silenceMs: silenceMs(p) };
  }

  async policy(examId: string): Promise<SessionPolicy> {
    return this.policyOf(await this.get(examId));
  }

  /**
   * The silence threshold of an exam that is in the cache, without a wait (what every heartbeat
   * answer carries); undefined when it is not cached (ask `policy`).
   */
  cachedSilenceMs(examId: string): number | undefined {
    const hit = this.cache.get(examId);
    if (hit === undefined) return undefined;
    let ms = this.silence.get(hit);
    if (ms === undefined) this.silence.set(hit, (ms = this.policyOf(hit).silenceMs));
    return ms;
  }
}
