import {
  RolePolicies,
  type CandidateLoginRequest,
  type LoginSession,
  type LoginSessionAnalytics,
  type Role,
  type RolePolicy,
  type StaffLoginRequest,
} from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, notFound, unauthenticated } from '../http/errors.ts';
import type { Principal } from '../http/context.ts';
import type { Store } from '../ports/store.ts';
import type { AuditEntry, AuthSessionRecord } from '../ports/types.ts';
import { parseDevice } from '../security/device-info.ts';
import { constantTimeEqual, hashPassword, hashSecret, keyedHash, newSecret, verifyPassword } from '../security/tokens.ts';
import { FailureLimiter } from './rate-limiter.ts';

/** Defaults per role; admins can change them (stored in settings under `role_policies`). */
export const DEFAULT_ROLE_POLICIES: Record<Role, RolePolicy> = {
  admin: { idleTimeoutMinutes: 30, absoluteTimeoutMinutes: 12 * 60, maxSessions: 2, onLimit: 'terminate_oldest', denyWhileExamActive: false },
  proctor: { idleTimeoutMinutes: 60, absoluteTimeoutMinutes: 14 * 60, maxSessions: 5, onLimit: 'deny_new', denyWhileExamActive: false },
  candidate: { idleTimeoutMinutes: 60, absoluteTimeoutMinutes: 30 * 60, maxSessions: 1, onLimit: 'terminate_oldest', denyWhileExamActive: true },
};
const POLICY_KEY = 'role_policies';

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export interface AuthDeps {
  store: Store;
  now: () => number;
  log: Logger;
  /** Server secret for keyed hashes of access codes. */
  secretKey: Buffer;
}

const iso = (t: number) => new Date(t).toISOString();

/** When a login session ends if nothing more happens: the earlier of idle and absolute deadlines. */
function deadline(s: Pick<AuthSessionRecord, 'expiresAt' | 'lastActivity' | 'idleTimeoutMs'>, lastActivity = s.lastActivity): number {
  return Math.min(s.expiresAt, lastActivity + s.idleTimeoutMs);
}

export class AuthService {
  /** Last activity per login session, kept in memory and flushed in batches (no write per request). */
  private readonly activity = new Map<string, number>();
  private readonly failuresByIp: FailureLimiter;
  private readonly failuresByAccount: FailureLimiter;

  constructor(private readonly deps: AuthDeps) {
    this.failuresByIp = new FailureLimiter(100, 60_000, deps.now);
    this.failuresByAccount = new FailureLimiter(10, 15 * 60_000, deps.now);
  }

  accessCodeHash(code: string): string {
    return keyedHash(this.deps.secretKey, code);
  }

  policies(): Record<Role, RolePolicy> {
    const stored = RolePolicies.safeParse(this.deps.store.getSetting(POLICY_KEY) ?? {});
    return { ...DEFAULT_ROLE_POLICIES, ...(stored.success ? stored.data : {}) };
  }

  setPolicy(by: Principal, role: Role, policy: RolePolicy, ip: string): Record<Role, RolePolicy> {
    const next = { ...this.policies(), [role]: policy };
    const t = this.deps.now();
    this.deps.store.putSetting(POLICY_KEY, next, by.userId, t, { at: t, actorType: 'staff', actorId: by.userId, action: 'policy.role_updated', detail: { role, policy }, ip });
    return next;
  }

  async bootstrapAdmin(username: string, password: string | undefined): Promise<{ created: boolean; password?: string }> {
    const { store, now } = this.deps;
    if (store.countStaff() > 0) return { created: false };
    const pw = password ?? newSecret(18);
    const t = now();
    store.createStaff(
      { id: randomUUID(), username, passwordHash: await hashPassword(pw), role: 'admin' },
      t,
      { at: t, actorType: 'system', actorId: null, action: 'staff.bootstrap_admin', detail: { username } },
    );
    return { created: true, ...(password ? {} : { password: pw }) };
  }

  async staffLogin(req: StaffLoginRequest, client: ClientInfo) {
    const { store, now } = this.deps;
    const accountKey = `staff:${req.username.toLowerCase()}`;
    this.failuresByIp.check(client.ip);
    this.failuresByAccount.check(accountKey);
    const user = store.findStaffByUsername(req.username);
    const ok = await verifyPassword(req.password, user?.passwordHash);
    if (!ok || !user || user.disabled) {
      this.failuresByIp.fail(client.ip);
      this.failuresByAccount.fail(accountKey);
      store.appendAudit([{ at: now(), actorType: 'anonymous', actorId: null, action: 'auth.staff_login_failed', detail: { username: req.username }, ip: client.ip }]);
      throw new AppError(401, 'INVALID_CREDENTIALS', 'wrong username or password');
    }
    const { token, session } = this.openSession({ subjectType: 'staff', userId: user.id, role: user.role, examId: null, candidateId: null }, client);
    return { token, expiresAt: iso(session.expiresAt), user: { id: user.id, username: user.username, role: user.role } };
  }

  candidateLogin(req: CandidateLoginRequest, client: ClientInfo) {
    const { store, now } = this.deps;
    const accountKey = `candidate:${req.examId}:${req.candidateId}`;
    this.failuresByIp.check(client.ip);
    this.failuresByAccount.check(accountKey);
    const reg = store.findRegistration(req.examId, req.candidateId);
    const given = this.accessCodeHash(req.accessCode);
    // Compare even when there is no registration, so timing says nothing about who exists.
    const ok = constantTimeEqual(given, reg?.accessCodeHash ?? hashSecret('no-such-registration')) && reg !== undefined;
    if (!ok || !reg) {
      this.failuresByIp.fail(client.ip);
      this.failuresByAccount.fail(accountKey);
      store.appendAudit([{ at: now(), actorType: 'anonymous', actorId: null, action: 'auth.candidate_login_failed', detail: { examId: req.examId, candidateId: req.candidateId }, ip: client.ip }]);
      throw new AppError(401, 'INVALID_CREDENTIALS', 'wrong exam, candidate id or access code');
    }
    const { token, session } = this.openSession({ subjectType: 'candidate', userId: reg.id, role: 'candidate', examId: req.examId, candidateId: req.candidateId }, client);
    return { token, expiresAt: iso(session.expiresAt) };
  }

  private openSession(
    who: Pick<AuthSessionRecord, 'subjectType' | 'userId' | 'role' | 'examId' | 'candidateId'>,
    client: ClientInfo,
  ): { token: string; session: AuthSessionRecord } {
    this.flushActivity(); // limits count live sessions: the database must know recent activity
    const t = this.deps.now();
    const policy = this.policies()[who.role];
    const token = newSecret();
    const session: AuthSessionRecord = {
      id: randomUUID(),
      tokenHash: hashSecret(token),
      ...who,
      userAgent: client.userAgent.slice(0, 1_000),
      ...parseDevice(client.userAgent),
      ipAddress: client.ip,
      createdAt: t,
      lastActivity: t,
      expiresAt: t + policy.absoluteTimeoutMinutes * 60_000,
      idleTimeoutMs: policy.idleTimeoutMinutes * 60_000,
      revokedAt: null,
    };
    const outcome = this.deps.store.openAuthSession(
      session,
      { maxSessions: policy.maxSessions, onLimit: policy.onLimit, denyIfExamActiveFor: policy.denyWhileExamActive && who.candidateId ? who.candidateId : null },
      {
        at: t,
        actorType: who.subjectType,
        actorId: who.subjectType === 'candidate' ? who.candidateId : who.userId,
        action: 'auth.login',
        detail: { role: who.role, sessionId: session.id, device: session.deviceName },
        ip: client.ip,
      },
    );
    if (!outcome.ok) {
      const message =
        outcome.reason === 'exam_active'
          ? 'you are already signed in on another computer and your exam is running there; ask a proctor for help'
          : `you already have ${outcome.active} active sessions (the limit for ${who.role}s is ${policy.maxSessions}); sign out of one first`;
      throw new AppError(409, 'LOGIN_LIMIT_REACHED', message, { maxSessions: policy.maxSessions, activeSessions: outcome.active, reason: outcome.reason });
    }
    return { token, session };
  }

  /** Resolves a bearer token to its principal, or throws 401. Records activity in memory. */
  authenticate(token: string | undefined): Principal {
    if (!token) throw unauthenticated();
    const s = this.deps.store.findAuthSessionByTokenHash(hashSecret(token));
    const t = this.deps.now();
    if (!s || s.revokedAt !== null) throw unauthenticated('your session has ended; sign in again');
    const last = Math.max(s.lastActivity, this.activity.get(s.id) ?? 0);
    if (t >= deadline(s, last)) throw unauthenticated('your session has expired; sign in again');
    this.activity.set(s.id, t);
    return {
      sessionId: s.id,
      role: s.role,
      userId: s.userId,
      examId: s.examId,
      candidateId: s.candidateId,
      ...(s.role === 'proctor' ? { assignments: this.deps.store.staffAssignments(s.userId) } : {}),
    };
  }

  /** Writes remembered activity to the database in one transaction. */
  flushActivity(): void {
    if (this.activity.size === 0) return;
    const batch = [...this.activity].map(([id, lastActivity]) => ({ id, lastActivity }));
    this.activity.clear();
    this.deps.store.touchAuthSessions(batch);
  }

  private view(s: AuthSessionRecord, current: string): LoginSession {
    const last = Math.max(s.lastActivity, this.activity.get(s.id) ?? 0);
    return {
      id: s.id,
      deviceInfo: { deviceType: s.deviceType, deviceName: s.deviceName, browser: s.browser, os: s.os, userAgent: s.userAgent },
      ipAddress: s.ipAddress,
      createdAt: iso(s.createdAt),
      lastActivity: iso(last),
      expiresAt: iso(deadline(s, last)),
      isCurrent: s.id === current,
    };
  }

  list(p: Principal): LoginSession[] {
    this.flushActivity();
    return this.deps.store.listAuthSessions(p.userId, this.deps.now()).map((s) => this.view(s, p.sessionId));
  }

  count(p: Principal): { count: number } {
    return { count: this.deps.store.listAuthSessions(p.userId, this.deps.now()).length };
  }

  analytics(p: Principal): LoginSessionAnalytics {
    this.flushActivity();
    const t = this.deps.now();
    const all = this.deps.store.allAuthSessions(p.userId, 1_000);
    const live = new Set(this.deps.store.listAuthSessions(p.userId, t).map((s) => s.id));
    const endOf = (s: AuthSessionRecord) => (live.has(s.id) ? null : s.revokedAt ?? deadline(s));
    const durations = all.map((s) => ((endOf(s) ?? t) - s.createdAt) / 1000);
    const deviceTypes: Record<string, number> = {};
    for (const s of all) deviceTypes[s.deviceType] = (deviceTypes[s.deviceType] ?? 0) + 1;
    const revoked = (since: number) => all.filter((s) => s.revokedAt !== null && s.revokedAt >= since && s.revokeReason !== 'expired').length;
    return {
      total: all.length,
      active: live.size,
      recent: all.slice(0, 10).map((s) => {
        const end = endOf(s);
        return {
          id: s.id,
          deviceType: s.deviceType,
          deviceName: s.deviceName,
          ipAddress: s.ipAddress,
          createdAt: iso(s.createdAt),
          endedAt: end === null ? null : iso(end),
          endReason: end === null ? null : (s.revokeReason ?? 'expired'),
        };
      }),
      deviceTypes,
      averageDurationSeconds: durations.length ? Math.round((durations.reduce((a, b) => a + b, 0) / durations.length) * 10) / 10 : 0,
      createdLast24h: all.filter((s) => s.createdAt >= t - 86_400_000).length,
      revokedLast24h: revoked(t - 86_400_000),
      createdLast7d: all.filter((s) => s.createdAt >= t - 7 * 86_400_000).length,
      revokedLast7d: revoked(t - 7 * 86_400_000),
    };
  }

  private audit(p: Principal, action: string, ip: string, detail: Record<string, unknown>): AuditEntry {
    return { at: this.deps.now(), actorType: p.role === 'candidate' ? 'candidate' : 'staff', actorId: p.role === 'candidate' ? (p.candidateId ?? p.userId) : p.userId, action, detail, ip };
  }

  /** Revokes one of the caller's own sessions; anybody else's id is 404, like an unknown one. */
  revokeOwn(p: Principal, id: string, ip: string): void {
    const ok = this.deps.store.revokeAuthSession(id, p.userId, id === p.sessionId ? 'logout' : 'revoked_by_owner', this.deps.now(), this.audit(p, 'auth.session_revoked', ip, { sessionId: id }));
    if (!ok) throw notFound('no such session');
  }

  revokeOthers(p: Principal, ip: string): number {
    return this.deps.store.revokeAllAuthSessions(p.userId, p.sessionId, 'revoked_by_owner', this.deps.now(), this.audit(p, 'auth.other_sessions_revoked', ip, {}));
  }

  /** Ends every login session of a user (password change, disabled account, admin action). */
  revokeAllSessionsOfUser(userId: string, reason: string, by: Principal | null = null, ip = ''): number {
    if (by && !this.deps.store.findStaffById(userId) && this.deps.store.allAuthSessions(userId, 1).length === 0) throw notFound('no such user');
    const entry: AuditEntry = by
      ? this.audit(by, 'auth.all_sessions_revoked', ip, { userId, reason })
      : { at: this.deps.now(), actorType: 'system', actorId: null, action: 'auth.all_sessions_revoked', detail: { userId, reason } };
    return this.deps.store.revokeAllAuthSessions(userId, null, reason, this.deps.now(), entry);
  }

  /** A staff member changes their own password: every session ends, and this device gets a new one. */
  async changePassword(p: Principal, current: string, next: string, client: ClientInfo) {
    const user = this.deps.store.findStaffById(p.userId);
    if (!user || !(await verifyPassword(current, user.passwordHash))) {
      this.failuresByAccount.fail(`staff:${user?.username.toLowerCase() ?? p.userId}`);
      throw new AppError(401, 'INVALID_CREDENTIALS', 'the current password is wrong');
    }
    const t = this.deps.now();
    this.deps.store.updateStaffPassword(user.id, await hashPassword(next), t, this.audit(p, 'staff.password_changed', client.ip, { userId: user.id }));
    this.revokeAllSessionsOfUser(user.id, 'password_changed', p, client.ip);
    const { token, session } = this.openSession({ subjectType: 'staff', userId: user.id, role: user.role, examId: null, candidateId: null }, client);
    return { token, expiresAt: iso(session.expiresAt), user: { id: user.id, username: user.username, role: user.role } };
  }

  /** The hourly cleanup: sessions past their deadlines are marked ended. */
  cleanup(): number {
    this.flushActivity();
    return this.deps.store.cleanupAuthSessions(this.deps.now());
  }
}
