import { and, asc, count, desc, eq, getTableColumns, gt, inArray, isNull, lte, max, ne, or, sql } from 'drizzle-orm';
import type { CreateExamRequest, CandidateRegistration, Question } from '@invigil/contract';
import type { CandidateSessionSummary, StartDecision } from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { Store } from '../../ports/store.ts';
import type {
  AlertInput,
  AlertRecord,
  InstructionStatusRecord,
  StaffSessionFilter,
  AnswerWrite,
  AnswerWriteResult,
  AuditEntry,
  AuthSessionRecord,
  ExamPolicyOverrides,
  ExamRecord,
  InstructionRecord,
  NewSession,
  SessionDecision,
  SessionRecord,
  StaffRecord,
  StartOutcome,
  StoredAnswerRecord,
} from '../../ports/types.ts';
import type { Db } from './db.ts';
import { alerts, answers, auditEvents, authSessions, candidates, examSessions, exams, instructions, registrations, settings, staffAssignments, staffUsers } from './schema.ts';
import { auditRow } from './audit-row.ts';

type SessionRow = typeof examSessions.$inferSelect;

/** `"sql_name" AS "jsName", ...` for every column of a drizzle table. */
function selectList(table: Parameters<typeof getTableColumns>[0]): string {
  return Object.entries(getTableColumns(table))
    .map(([js, col]) => `"${col.name}" AS "${js}"`)
    .join(', ');
}

function fixSessionRow(r: SessionRow | undefined): SessionRow | undefined {
  if (r) r.isLocked = Boolean(r.isLocked);
  return r;
}

function toRecord(r: SessionRow): SessionRecord {
  return {
    sessionId: r.id,
    attemptId: r.attemptId,
    candidateId: r.candidateId,
    examId: r.examId,
    state: {
      status: r.status,
      isLocked: r.isLocked,
      lockReason: r.lockReason,
      allowedMs: r.allowedMs,
      usedMs: r.usedMs,
      runningSince: r.runningSince,
      pausedAt: r.pausedAt,
      pauseKind: r.pauseKind,
      recoveryAttempts: r.recoveryAttempts,
      endedAt: r.endedAt,
      endReason: r.endReason,
    },
    recoveryTokenHash: r.recoveryTokenHash,
    devicePublicKey: r.devicePublicKey,
    deviceFingerprint: r.deviceFingerprint,
    browserInfo: r.browserInfo,
    ipAddress: r.ipAddress,
    startedAt: r.startedAt,
    lastActivityAt: r.lastActivityAt,
    lastSeq: r.lastSeq,
    heartbeatCount: r.heartbeatCount,
    centerId: r.centerId,
    roomId: r.roomId,
    seat: r.seat,
    incidentMs: r.incidentMs,
    resumeCodeHash: r.resumeCodeHash,
    resumeCodeExpiresAt: r.resumeCodeExpiresAt,
    deviceGeneration: r.deviceGeneration,
  };
}

function toRow(rec: SessionRecord, now: number): SessionRow {
  const s = rec.state;
  return {
    id: rec.sessionId,
    attemptId: rec.attemptId,
    candidateId: rec.candidateId,
    examId: rec.examId,
    status: s.status,
    isLocked: s.isLocked,
    lockReason: s.lockReason,
    allowedMs: s.allowedMs,
    usedMs: s.usedMs,
    runningSince: s.runningSince,
    pausedAt: s.pausedAt,
    pauseKind: s.pauseKind,
    recoveryAttempts: s.recoveryAttempts,
    recoveryTokenHash: rec.recoveryTokenHash,
    endedAt: s.endedAt,
    endReason: s.endReason,
    startedAt: rec.startedAt,
    lastActivityAt: rec.lastActivityAt,
    devicePublicKey: rec.devicePublicKey,
    deviceFingerprint: rec.deviceFingerprint,
    browserInfo: rec.browserInfo,
    ipAddress: rec.ipAddress,
    lastSeq: rec.lastSeq,
    heartbeatCount: rec.heartbeatCount,
    centerId: rec.centerId,
    roomId: rec.roomId,
    seat: rec.seat,
    incidentMs: rec.incidentMs,
    resumeCodeHash: rec.resumeCodeHash,
    resumeCodeExpiresAt: rec.resumeCodeExpiresAt,
    deviceGeneration: rec.deviceGeneration,
    updatedAt: now,
  };
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && String((e as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT');
}

/** The embedded default: SQLite through drizzle + better-sqlite3. All methods are synchronous transactions. */
export class SqliteStore implements Store {
  private readonly sessionByAttempt;
  private readonly sessionByAttemptForCandidate;
  private readonly authByToken;
  /**
   * The hot paths (heartbeat presence flush, activity flush, answer saves, the session and token
   * lookups of every candidate request) use raw prepared statements and transaction functions
   * built once: drizzle's query builder, its row mapping and a fresh better-sqlite3 transaction
   * wrapper per call cost more CPU than the SQL itself. Column lists come from the drizzle schema.
   */
  private readonly hot;

  constructor(private readonly db: Db) {
    const c = db.$client;
    const sessionCols = selectList(examSessions);
    const bySession = (where: string) => {
      const st = c.prepare(`SELECT ${sessionCols} FROM exam_sessions WHERE ${where}`);
      return { get: (...args: unknown[]) => fixSessionRow(st.get(...args) as SessionRow | undefined) };
    };
    this.sessionByAttempt = bySession('attempt_id = ?');
    this.sessionByAttemptForCandidate = bySession('attempt_id = ? AND candidate_id = ?');
    const authByToken = c.prepare(`SELECT ${selectList(authSessions)} FROM auth_sessions WHERE token_hash = ?`);
    this.authByToken = { get: (tokenHash: string) => authByToken.get(tokenHash) as AuthSessionRecord | undefined };

    const touchOne = c.prepare('UPDATE auth_sessions SET last_activity = max(last_activity, ?) WHERE id = ?');
    const presenceOne = c.prepare(
      'UPDATE exam_sessions SET last_activity_at = max(last_activity_at, ?), last_seq = max(last_seq, ?), heartbeat_count = heartbeat_count + ? WHERE attempt_id = ?',
    );
    // Idempotent by clientSeq: an equal or older seq is acknowledged but never overwrites.
    const upsertAnswer = c.prepare(
      `INSERT INTO answers (attempt_id, question_id, value, client_seq, saved_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (attempt_id, question_id) DO UPDATE SET value = excluded.value, client_seq = excluded.client_seq, saved_at = excluded.saved_at
       WHERE excluded.client_seq > answers.client_seq`,
    );
    const storedAnswer = c.prepare('SELECT saved_at AS savedAt FROM answers WHERE attempt_id = ? AND question_id = ?');
    this.hot = {
      touch: c.transaction((batch: { id: string; lastActivity: number }[]) => {
        for (const b of batch) touchOne.run(b.lastActivity, b.id);
      }),
      presence: c.transaction((batch: { attemptId: string; lastSeenAt: number; seq: number; beats: number }[]) => {
        for (const p of batch) presenceOne.run(p.lastSeenAt, p.seq, p.beats, p.attemptId);
      }),
      saveAnswers: c.transaction((batch: AnswerWrite[]): AnswerWriteResult[] =>
        batch.map((w) => {
          if (upsertAnswer.run(w.attemptId, w.questionId, w.valueJson, w.clientSeq, w.at).changes > 0) return { applied: true, clientSeq: w.clientSeq, savedAt: w.at };
          const stored = storedAnswer.get(w.attemptId, w.questionId) as { savedAt: number } | undefined;
          return { applied: false, clientSeq: w.clientSeq, savedAt: stored?.savedAt ?? w.at };
        }),
      ),
    };
  }

  close(): void {
    this.db.$client.close();
  }

  countStaff(): number {
    return this.db.select({ n: count() }).from(staffUsers).get()?.n ?? 0;
  }

  createStaff(user: StaffRecord, now: number, audit: AuditEntry): void {
    this.db.transaction((tx) => {
      tx.insert(staffUsers).values({ id: user.id, username: user.username, passwordHash: user.passwordHash, role: user.role, createdAt: now, passwordChangedAt: now }).run();
      tx.insert(auditEvents).values(auditRow(audit)).run();
    });
  }

  findStaffByUsername(username: string): StaffRecord | undefined {
    const r = this.db.select().from(staffUsers).where(eq(staffUsers.username, username)).get();
    return r && { id: r.id, username: r.username, passwordHash: r.passwordHash, role: r.role, disabled: r.disabledAt !== null };
  }

  staffAssignments(staffId: string): { centerId: string; roomId: string | null }[] {
    return this.db.select({ centerId: staffAssignments.centerId, roomId: staffAssignments.roomId }).from(staffAssignments).where(eq(staffAssignments.staffId, staffId)).all();
  }

  createExam(id: string, input: CreateExamRequest, createdBy: string, now: number, audit: AuditEntry): ExamRecord {
    this.db.transaction((tx) => {
      tx.insert(exams)
        .values({ id, title: input.title, durationMinutes: input.durationMinutes, questions: JSON.stringify(input.questions), createdAt: now, createdBy })
        .run();
      tx.insert(auditEvents).values(auditRow(audit)).run();
    });
    return { id, title: input.title, durationMinutes: input.durationMinutes, questions: input.questions, status: 'open', opensAt: null, closesAt: null, policy: {}, createdAt: now };
  }

  getExam(id: string): ExamRecord | undefined {
    const r = this.db.select().from(exams).where(eq(exams.id, id)).get();
    return (
      r && {
        id: r.id,
        title: r.title,
        durationMinutes: r.durationMinutes,
        questions: JSON.parse(r.questions) as Question[],
        status: r.status,
        opensAt: r.opensAt,
        closesAt: r.closesAt,
        policy: JSON.parse(r.policy) as ExamPolicyOverrides,
        createdAt: r.createdAt,
      }
    );
  }

  registerCandidates(examId: string, rows: (CandidateRegistration & { accessCodeHash: string })[], now: number, audit: AuditEntry): number {
    return this.db.transaction((tx) => {
      for (const row of rows) {
        tx.insert(candidates)
          .values({ candidateId: row.candidateId, name: row.name, createdAt: now })
          .onConflictDoUpdate({ target: candidates.candidateId, set: { name: row.name } })
          .run();
        tx.insert(registrations)
          .values({ id: randomUUID(), examId, candidateId: row.candidateId, accessCodeHash: row.accessCodeHash, createdAt: now })
          .onConflictDoUpdate({ target: [registrations.examId, registrations.candidateId], set: { accessCodeHash: row.accessCodeHash } })
          .run();
      }
      tx.insert(auditEvents).values(auditRow(audit)).run();
      return rows.length;
    });
  }

  findRegistration(examId: string, candidateId: string) {
    return this.db
      .select({ id: registrations.id, accessCodeHash: registrations.accessCodeHash, name: candidates.name, centerId: registrations.centerId, roomId: registrations.roomId, seat: registrations.seat })
      .from(registrations)
      .innerJoin(candidates, eq(candidates.candidateId, registrations.candidateId))
      .where(and(eq(registrations.examId, examId), eq(registrations.candidateId, candidateId)))
      .get();
  }

  private liveSessionsWhere(userId: string, now: number) {
    return and(
      eq(authSessions.userId, userId),
      isNull(authSessions.revokedAt),
      gt(authSessions.expiresAt, now),
      sql`${authSessions.lastActivity} + ${authSessions.idleTimeoutMs} > ${now}`,
    );
  }

  openAuthSession(
    session: AuthSessionRecord,
    limit: { maxSessions: number; onLimit: 'terminate_oldest' | 'deny_new'; denyIfExamActiveFor: string | null },
    audit: AuditEntry,
  ): { ok: true; evicted: string[] } | { ok: false; reason: 'limit' | 'exam_active'; active: number } {
    return this.db.transaction(
      (tx) => {
        const live = tx.select({ id: authSessions.id }).from(authSessions).where(this.liveSessionsWhere(session.userId, session.createdAt)).orderBy(asc(authSessions.createdAt)).all();
        const evicted: string[] = [];
        if (live.length >= limit.maxSessions) {
          if (limit.denyIfExamActiveFor) {
            const active = tx
              .select({ n: count() })
              .from(examSessions)
              .where(and(eq(examSessions.candidateId, limit.denyIfExamActiveFor), eq(examSessions.status, 'active')))
              .get();
            if ((active?.n ?? 0) > 0) return { ok: false as const, reason: 'exam_active' as const, active: live.length };
          }
          if (limit.onLimit === 'deny_new') return { ok: false as const, reason: 'limit' as const, active: live.length };
          for (const old of live.slice(0, live.length - limit.maxSessions + 1)) {
            tx.update(authSessions).set({ revokedAt: session.createdAt, revokeReason: 'evicted_by_new_login' }).where(eq(authSessions.id, old.id)).run();
            evicted.push(old.id);
          }
        }
        tx.insert(authSessions).values(session).run();
        tx.insert(auditEvents).values(auditRow({ ...audit, detail: { ...(audit.detail ?? {}), evicted } })).run();
        return { ok: true as const, evicted };
      },
      { behavior: 'immediate' },
    );
  }

  listAuthSessions(userId: string, now: number): AuthSessionRecord[] {
    return this.db.select().from(authSessions).where(this.liveSessionsWhere(userId, now)).orderBy(desc(authSessions.lastActivity)).all();
  }

  allAuthSessions(userId: string, limit: number): AuthSessionRecord[] {
    return this.db.select().from(authSessions).where(eq(authSessions.userId, userId)).orderBy(desc(authSessions.createdAt)).limit(limit).all();
  }

  revokeAuthSession(id: string, userId: string, reason: string, now: number, audit: AuditEntry): boolean {
    return this.db.transaction((tx) => {
      const r = tx
        .update(authSessions)
        .set({ revokedAt: now, revokeReason: reason })
        .where(and(eq(authSessions.id, id), this.liveSessionsWhere(userId, now)))
        .run();
      if (r.changes > 0) tx.insert(auditEvents).values(auditRow(audit)).run();
      return r.changes > 0;
    });
  }

  revokeAllAuthSessions(userId: string, exceptId: string | null, reason: string, now: number, audit: AuditEntry): number {
    return this.db.transaction((tx) => {
      const where = exceptId === null ? and(eq(authSessions.userId, userId), isNull(authSessions.revokedAt)) : and(eq(authSessions.userId, userId), isNull(authSessions.revokedAt), ne(authSessions.id, exceptId));
      const r = tx.update(authSessions).set({ revokedAt: now, revokeReason: reason }).where(where).run();
      tx.insert(auditEvents).values(auditRow({ ...audit, detail: { ...(audit.detail ?? {}), revoked: r.changes } })).run();
      return r.changes;
    });
  }

  cleanupAuthSessions(now: number): number {
    return this.db
      .update(authSessions)
      .set({ revokedAt: sql`min(${authSessions.expiresAt}, ${authSessions.lastActivity} + ${authSessions.idleTimeoutMs})`, revokeReason: 'expired' })
      .where(and(isNull(authSessions.revokedAt), or(lte(authSessions.expiresAt, now), sql`${authSessions.lastActivity} + ${authSessions.idleTimeoutMs} <= ${now}`)))
      .run().changes;
  }

  getSetting(key: string): unknown {
    const r = this.db.select().from(settings).where(eq(settings.key, key)).get();
    return r ? (JSON.parse(r.value) as unknown) : undefined;
  }

  putSetting(key: string, value: unknown, by: string, now: number, audit: AuditEntry): void {
    this.db.transaction((tx) => {
      tx.insert(settings)
        .values({ key, value: JSON.stringify(value), updatedAt: now, updatedBy: by })
        .onConflictDoUpdate({ target: settings.key, set: { value: JSON.stringify(value), updatedAt: now, updatedBy: by } })
        .run();
      tx.insert(auditEvents).values(auditRow(audit)).run();
    });
  }

  updateStaffPassword(userId: string, passwordHash: string, now: number, audit: AuditEntry): void {
    this.db.transaction((tx) => {
      tx.update(staffUsers).set({ passwordHash, passwordChangedAt: now }).where(eq(staffUsers.id, userId)).run();
      tx.insert(auditEvents).values(auditRow(audit)).run();
    });
  }

  findStaffById(id: string): StaffRecord | undefined {
    const r = this.db.select().from(staffUsers).where(eq(staffUsers.id, id)).get();
    return r && { id: r.id, username: r.username, passwordHash: r.passwordHash, role: r.role, disabled: r.disabledAt !== null };
  }

  findAuthSessionByTokenHash(tokenHash: string): AuthSessionRecord | undefined {
    const r = this.authByToken.get(tokenHash);
    return r && { ...r };
  }

  touchAuthSessions(batch: { id: string; lastActivity: number }[]): void {
    if (batch.length > 0) this.hot.touch(batch);
  }

  startSession(input: NewSession, decide: (existing: CandidateSessionSummary[]) => StartDecision, audit: AuditEntry[]): StartOutcome {
    try {
      return this.db.transaction(
        (tx) => {
          const existing = tx
            .select({ examId: examSessions.examId, status: examSessions.status })
            .from(examSessions)
            .where(eq(examSessions.candidateId, input.candidateId))
            .all();
          const decision = decide(existing);
          if (!decision.ok) return decision;
          const record: SessionRecord = {
            sessionId: input.sessionId,
            attemptId: input.attemptId,
            candidateId: input.candidateId,
            examId: input.examId,
            state: input.state,
            recoveryTokenHash: input.recoveryTokenHash,
            devicePublicKey: input.devicePublicKey,
            deviceFingerprint: input.deviceFingerprint,
            browserInfo: input.browserInfo,
            ipAddress: input.ipAddress,
            startedAt: input.now,
            lastActivityAt: input.now,
            lastSeq: 0,
            heartbeatCount: 0,
            centerId: input.centerId,
            roomId: input.roomId,
            seat: input.seat,
            incidentMs: 0,
            resumeCodeHash: null,
            resumeCodeExpiresAt: null,
            deviceGeneration: 0,
          };
          // The partial unique index makes this insert fail if another start won the race.
          tx.insert(examSessions).values(toRow(record, input.now)).run();
          if (audit.length) tx.insert(auditEvents).values(audit.map(auditRow)).run();
          return { ok: true as const, record };
        },
        { behavior: 'immediate' },
      );
    } catch (e) {
      if (isUniqueViolation(e)) {
        return { ok: false, code: 'ACTIVE_SESSION_EXISTS', message: 'you already have an active exam session' };
      }
      throw e;
    }
  }

  getSession(attemptId: string, candidateId?: string): SessionRecord | undefined {
    const r = candidateId === undefined ? this.sessionByAttempt.get(attemptId) : this.sessionByAttemptForCandidate.get(attemptId, candidateId);
    return r && toRecord(r);
  }

  listCandidateSessions(candidateId: string): SessionRecord[] {
    return this.db.select().from(examSessions).where(eq(examSessions.candidateId, candidateId)).orderBy(asc(examSessions.startedAt)).all().map(toRecord);
  }

  listSessionsByStatus(status: 'active' | 'paused'): SessionRecord[] {
    return this.db.select().from(examSessions).where(eq(examSessions.status, status)).all().map(toRecord);
  }

  updateSession<T>(
    attemptId: string,
    candidateId: string | null,
    decide: (current: SessionRecord, others: SessionRecord[]) => SessionDecision<T>,
  ): T | undefined {
    try {
      return this.db.transaction(
        (tx) => {
          const where = candidateId === null ? eq(examSessions.attemptId, attemptId) : and(eq(examSessions.attemptId, attemptId), eq(examSessions.candidateId, candidateId));
          const row = tx.select().from(examSessions).where(where).get();
          if (!row) return undefined;
          const others = tx
            .select()
            .from(examSessions)
            .where(and(eq(examSessions.candidateId, row.candidateId), ne(examSessions.attemptId, attemptId)))
            .all()
            .map(toRecord);
          const d = decide(toRecord(row), others);
          const now = Date.now();
          if (d.kind === 'update') tx.update(examSessions).set(toRow(d.record, now)).where(eq(examSessions.attemptId, attemptId)).run();
          if (d.audit?.length) tx.insert(auditEvents).values(d.audit.map(auditRow)).run();
          for (const a of d.alerts ?? []) this.insertAlert(tx as unknown as Db, a);
          return d.result;
        },
        { behavior: 'immediate' },
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new ActiveSessionConflict();
      throw e;
    }
  }

  recordPresence(batch: { attemptId: string; lastSeenAt: number; seq: number; beats: number }[]): void {
    if (batch.length > 0) this.hot.presence(batch);
  }

  saveAnswers(batch: AnswerWrite[]): AnswerWriteResult[] {
    return batch.length === 0 ? [] : this.hot.saveAnswers(batch);
  }

  listAnswers(attemptId: string): StoredAnswerRecord[] {
    return this.db
      .select()
      .from(answers)
      .where(eq(answers.attemptId, attemptId))
      .orderBy(asc(answers.questionId))
      .all()
      .map((r) => ({ questionId: r.questionId, value: JSON.parse(r.value) as unknown, clientSeq: r.clientSeq, savedAt: r.savedAt }));
  }

  answerStats(attemptId: string): { count: number; lastSavedAt: number | null } {
    const r = this.db.select({ n: count(), last: max(answers.savedAt) }).from(answers).where(eq(answers.attemptId, attemptId)).get();
    return { count: r?.n ?? 0, lastSavedAt: r?.last ?? null };
  }

  appendAudit(entries: AuditEntry[]): void {
    if (entries.length) this.db.insert(auditEvents).values(entries.map(auditRow)).run();
  }

  private insertAlert(db: Db, a: AlertInput): string {
    const id = a.id ?? randomUUID();
    db.insert(alerts)
      .values({
        id,
        at: a.at,
        attemptId: a.attemptId,
        candidateId: a.candidateId,
        examId: a.examId,
        centerId: a.centerId ?? null,
        roomId: a.roomId ?? null,
        kind: a.kind,
        severity: a.severity,
        message: a.message,
        detail: a.detail ? JSON.stringify(a.detail) : null,
      })
      .run();
    return id;
  }

  raiseAlert(alert: AlertInput): string {
    return this.insertAlert(this.db, alert);
  }

  pendingInstructions(attemptId: string, deviceGeneration: number): InstructionRecord[] {
    return this.db
      .select({ id: instructions.id, attemptId: instructions.attemptId, type: instructions.type, message: instructions.message, issuedAt: instructions.issuedAt })
      .from(instructions)
      .where(and(eq(instructions.attemptId, attemptId), eq(instructions.deviceGeneration, deviceGeneration), isNull(instructions.ackedAt)))
      .orderBy(asc(instructions.issuedAt))
      .all();
  }

  addInstruction(i: InstructionRecord & { issuedBy: string; reason: string | null; deviceGeneration: number }): void {
    this.db
      .insert(instructions)
      .values({ id: i.id, attemptId: i.attemptId, type: i.type, message: i.message, reason: i.reason, issuedAt: i.issuedAt, issuedBy: i.issuedBy, deviceGeneration: i.deviceGeneration })
      .run();
  }

  listInstructions(attemptId: string): InstructionStatusRecord[] {
    return this.db
      .select({
        id: instructions.id,
        attemptId: instructions.attemptId,
        type: instructions.type,
        message: instructions.message,
        issuedAt: instructions.issuedAt,
        deliveredAt: instructions.deliveredAt,
        ackedAt: instructions.ackedAt,
      })
      .from(instructions)
      .where(eq(instructions.attemptId, attemptId))
      .orderBy(asc(instructions.issuedAt))
      .all();
  }

  private toAlert(r: typeof alerts.$inferSelect): AlertRecord {
    return { ...r, severity: r.severity, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null };
  }

  listAlerts(filter: { attemptId?: string; state: 'open' | 'acknowledged' | 'all'; limit: number }): AlertRecord[] {
    const conds = [];
    if (filter.attemptId) conds.push(eq(alerts.attemptId, filter.attemptId));
    if (filter.state === 'open') conds.push(isNull(alerts.acknowledgedAt));
    if (filter.state === 'acknowledged') conds.push(sql`${alerts.acknowledgedAt} is not null`);
    return this.db
      .select()
      .from(alerts)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(alerts.at), desc(alerts.id))
      .limit(filter.limit)
      .all()
      .map((r) => this.toAlert(r));
  }

  getAlert(id: string): AlertRecord | undefined {
    const r = this.db.select().from(alerts).where(eq(alerts.id, id)).get();
    return r && this.toAlert(r);
  }

  ackAlert(id: string, by: string, now: number, audit: AuditEntry): boolean {
    return this.db.transaction((tx) => {
      const r = tx.update(alerts).set({ acknowledgedAt: now, acknowledgedBy: by }).where(and(eq(alerts.id, id), isNull(alerts.acknowledgedAt))).run();
      if (r.changes) tx.insert(auditEvents).values(auditRow(audit)).run();
      return r.changes > 0;
    });
  }

  openAlertCounts(): Map<string, number> {
    const rows = this.db
      .select({ attemptId: alerts.attemptId, n: count() })
      .from(alerts)
      .where(and(isNull(alerts.acknowledgedAt), sql`${alerts.attemptId} is not null`))
      .groupBy(alerts.attemptId)
      .all();
    return new Map(rows.map((r) => [r.attemptId!, r.n]));
  }

  listSessionsForStaff(filter: StaffSessionFilter): (SessionRecord & { candidateName: string })[] {
    const conds = [];
    if (filter.examId) conds.push(eq(examSessions.examId, filter.examId));
    if (filter.centerId) conds.push(eq(examSessions.centerId, filter.centerId));
    if (filter.roomId) conds.push(eq(examSessions.roomId, filter.roomId));
    if (filter.status) conds.push(eq(examSessions.status, filter.status as SessionRow['status']));
    else if (!filter.includeFinished) conds.push(inArray(examSessions.status, ['active', 'paused']));
    return this.db
      .select({ s: examSessions, name: candidates.name })
      .from(examSessions)
      .leftJoin(candidates, eq(candidates.candidateId, examSessions.candidateId))
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(asc(examSessions.roomId), asc(examSessions.seat), asc(examSessions.candidateId))
      .limit(5_000)
      .all()
      .map((r) => ({ ...toRecord(r.s), candidateName: r.name ?? '' }));
  }

  attemptsWithPendingInstructions(): string[] {
    return this.db
      .selectDistinct({ attemptId: instructions.attemptId })
      .from(instructions)
      .where(isNull(instructions.ackedAt))
      .all()
      .map((r) => r.attemptId);
  }

  markInstructionsDelivered(attemptId: string, ids: string[], now: number): void {
    if (ids.length === 0) return;
    this.db
      .update(instructions)
      .set({ deliveredAt: now })
      .where(and(eq(instructions.attemptId, attemptId), inArray(instructions.id, ids), isNull(instructions.deliveredAt)))
      .run();
  }

  ackInstructions(attemptId: string, deviceGeneration: number, ids: string[], now: number): number {
    if (ids.length === 0) return 0;
    return this.db
      .update(instructions)
      .set({ ackedAt: now })
      .where(and(eq(instructions.attemptId, attemptId), eq(instructions.deviceGeneration, deviceGeneration), inArray(instructions.id, ids), isNull(instructions.ackedAt)))
      .run().changes;
  }
}

/** Thrown when the database's one-active-session index refuses an update. */
export class ActiveSessionConflict extends Error {
  constructor() {
    super('another session of this candidate is active');
  }
}
