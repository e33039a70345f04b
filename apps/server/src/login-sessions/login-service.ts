import type { CandidateLoginRequest, StaffLoginRequest } from '@invigil/contract';
import { isExamCodeShape, normalizeCode } from '../security/short-code.ts';
import { isFinal } from '@invigil/core';
import { randomUUID } from 'node:crypto';
import type { Database } from '../ports/database.ts';
import { conflict, DomainError, notFound, RateLimitedError } from '../ports/errors.ts';
import type { Invalidations } from '../ports/invalidation.ts';
import type { AttemptLimiter, LimiterFactory } from '../ports/limiter.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { AuditEntry, AuthSessionRecord, Principal } from '../ports/types.ts';
import { inScope, scopeOf } from '../proctoring/scope.ts';
import { ACCESS_CODE_LIMITS, STAFF_PASSWORD_LIMITS } from '../security/attempt-limits.ts';
import { parseDevice } from '../security/device-info.ts';
import { constantTimeEqual, hashPassword, hashSecret, keyedHash, newSecret, verifyPassword } from '../security/tokens.ts';
import type { Authenticator } from './authenticator.ts';
import { revokeAllOfUser } from './revoke.ts';
import type { RolePolicyService } from './role-policies.ts';

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export interface LoginDeps {
  db: Database;
  limiters: LimiterFactory;
  now: () => number;
  /** Server secret for keyed hashes of access codes. */
  secretKey: Buffer;
  policies: RolePolicyService;
  authenticator: Authenticator;
  metrics?: Metrics;
  invalidations: Invalidations;
}

const iso = (t: number) => new Date(t).toISOString();
const invalidCredentials = (message: string) => new DomainError('unauthenticated', 'INVALID_CREDENTIALS', message);

/** Staff and candidate sign-in, the per-role session limit, and password changes. */
export class LoginService {
  private readonly staffAttempts: AttemptLimiter;
  private readonly candidateAttempts: AttemptLimiter;

  constructor(private readonly d: LoginDeps) {
    this.staffAttempts = d.limiters.limiter('staff-password', STAFF_PASSWORD_LIMITS);
    this.candidateAttempts = d.limiters.limiter('access-code', ACCESS_CODE_LIMITS);
  }

  accessCodeHash(code: string): string {
    return keyedHash(this.d.secretKey, code);
  }

  /**
   * Takes one attempt for (account, address) before the secret is checked: attempts in flight
   * count, so parallel guesses are refused exactly like sequential ones. Release on success.
   */
  private async reserve(limiter: AttemptLimiter, account: string, ip: string): Promise<{ release(): Promise<void> }> {
    const r = await limiter.reserve(account, ip);
    if (!r.ok) throw new RateLimitedError(Math.ceil(r.retryAfterMs / 1000), 'too many failed attempts; wait before trying again');
    return r;
  }

  private failed(audit: AuditEntry): Promise<void> {
    this.d.metrics?.failedLogin(audit.action === 'auth.candidate_login_failed' ? 'candidate' : 'staff');
    return this.d.db.repos.audit.append([audit]);
  }

  /**
   * Staff lift a candidate's sign-in delays (from every address): a neighbour guessing the wrong id
   * must not keep a candidate out. Proctors only for candidates seated in their scope (404 otherwise).
   */
  async clearCandidateThrottle(p: Principal, examId: string, candidateId: string, ip: string): Promise<void> {
    const reg = await this.d.db.repos.registrations.find(examId, candidateId);
    if (!reg || !inScope(scopeOf(p), reg)) throw notFound('no such candidate in this exam');
    await this.candidateAttempts.clear(`candidate:${examId}:${candidateId}`);
    await this.d.db.repos.audit.append([{ at: this.d.now(), actorType: 'staff', actorId: p.userId, action: 'auth.login_throttle_cleared', detail: { examId, candidateId }, ip }]);
  }

  async bootstrapAdmin(username: string, password: string | undefined): Promise<{ created: boolean; password?: string }> {
    if ((await this.d.db.repos.staff.count()) > 0) return { created: false };
    const pw = password ?? newSecret(18);
    const hash = await hashPassword(pw);
    const t = this.d.now();
    const created = await this.d.db.tx(async (r) => {
      // Another instance starting at the same moment may have created it first (with PostgreSQL both
      // may see none: the unique username decides, and the one whose create is refused did nothing).
      if ((await r.staff.count()) > 0) return false;
      if (!(await r.staff.create({ id: randomUUID(), username, displayName: '', passwordHash: hash, role: 'admin' }, t))) return false;
      await r.audit.append([{ at: t, actorType: 'system', actorId: null, action: 'staff.bootstrap_admin', detail: { username } }]);
      return true;
    });
    return created ? { created: true, ...(password ? {} : { password: pw }) } : { created: false };
  }

  async staffLogin(req: StaffLoginRequest, client: ClientInfo) {
    const slot = await this.reserve(this.staffAttempts, `staff:${req.username.toLowerCase()}`, client.ip);
    const user = await this.d.db.repos.staff.findByUsername(req.username);
    const ok = await verifyPassword(req.password, user?.passwordHash);
    if (!ok || !user || user.disabled) {
      await this.failed({ at: this.d.now(), actorType: 'anonymous', actorId: null, action: 'auth.staff_login_failed', detail: { username: req.username }, ip: client.ip });
      throw invalidCredentials('wrong username or password');
    }
    await slot.release();
    const { token, session } = await this.openSession({ subjectType: 'staff', userId: user.id, role: user.role, examId: null, candidateId: null }, client, { endOldest: req.endOldestSession === true });
    return { token, expiresAt: iso(session.expiresAt), user: { id: user.id, username: user.username, role: user.role } };
  }

  /** PROTOCOL: `examId` is the exam's id or its short code (any case, dashes and spaces ignored). */
  private async resolveExamId(typed: string): Promise<string> {
    // Whatever is not shaped like a code is taken as the id (found or not): no read needed.
    if (!isExamCodeShape(typed)) return typed;
    if (await this.d.db.repos.exams.get(typed)) return typed;
    return (await this.d.db.repos.exams.findByCode(normalizeCode(typed)))?.id ?? typed;
  }

  async candidateLogin(req: CandidateLoginRequest, client: ClientInfo) {
    const examId = await this.resolveExamId(req.examId);
    // Throttled by the exam it resolves to: typing the code or the id counts against one limit.
    const slot = await this.reserve(this.candidateAttempts, `candidate:${examId}:${req.candidateId}`, client.ip);
    const reg = await this.d.db.repos.registrations.find(examId, req.candidateId);
    const stored = reg?.accessCodeHash ?? hashSecret('no-such-registration');
    // Compare even when there is no registration, so timing says nothing about who exists. A
    // generated code is stored in its normalized form: typed in lower case or without its dash, it matches too.
    const asTyped = constantTimeEqual(this.accessCodeHash(req.accessCode), stored);
    const normalized = constantTimeEqual(this.accessCodeHash(normalizeCode(req.accessCode)), stored);
    const ok = (asTyped || normalized) && reg !== undefined;
    if (!ok || !reg) {
      await this.failed({
        at: this.d.now(),
        actorType: 'anonymous',
        actorId: null,
        action: 'auth.candidate_login_failed',
        detail: { examId, candidateId: req.candidateId, ...(examId !== req.examId ? { typed: req.examId.slice(0, 50) } : {}) },
        ip: client.ip,
      });
      throw invalidCredentials('wrong exam, candidate id or access code');
    }
    await slot.release();
    const { token, session } = await this.openSession({ subjectType: 'candidate', userId: reg.id, role: 'candidate', examId, candidateId: req.candidateId }, client);
    return { token, expiresAt: iso(session.expiresAt), examId };
  }

  /**
   * Opens a login session under the role's limit, in one unit of work with the user's logins
   * serialised: counts the live ones, then evicts the oldest or refuses, as the policy says.
   */
  private async openSession(
    who: Pick<AuthSessionRecord, 'subjectType' | 'userId' | 'role' | 'examId' | 'candidateId'>,
    client: ClientInfo,
    opts: { endOldest?: boolean } = {},
  ): Promise<{ token: string; session: AuthSessionRecord }> {
    const t = this.d.now();
    const policy = (await this.d.policies.policies())[who.role];
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
    const outcome = await this.d.db.tx(async (r) => {
      await r.loginSessions.lockUser(who.userId);
      // Limits count live sessions, with the activity not flushed yet (no flush per sign-in).
      const live = await this.d.authenticator.liveLogins(r, who.userId, t);
      const evicted: string[] = [];
      if (live.length >= policy.maxSessions) {
        if (policy.denyWhileExamActive && who.candidateId && (await r.examSessions.countActive(who.candidateId)) > 0) {
          return { ok: false as const, reason: 'exam_active' as const, active: live.length };
        }
        // Deny new, unless the owner (password checked) asked to end their oldest session instead.
        const endOldest = policy.onLimit === 'deny_new' && opts.endOldest === true && who.subjectType === 'staff';
        if (policy.onLimit === 'deny_new' && !endOldest) return { ok: false as const, reason: 'limit' as const, active: live.length };
        const oldest = live.slice(0, live.length - policy.maxSessions + 1).map((s) => s.id);
        await r.loginSessions.revoke(oldest, endOldest ? 'ended_by_owner_at_login' : 'evicted_by_new_login', t);
        evicted.push(...oldest);
      }
      // A candidate signing in while their attempt can still continue (a new desk, a restarted kiosk): pinned to it.
      const running = who.candidateId ? (await r.examSessions.listForCandidate(who.candidateId)).find((x) => x.examId === who.examId && !isFinal(x.state)) : undefined;
      await r.loginSessions.insert(running ? { ...session, pinnedAttemptId: running.attemptId } : session);
      await r.audit.append([
        {
          at: t,
          actorType: who.subjectType,
          actorId: who.subjectType === 'candidate' ? who.candidateId : who.userId,
          action: 'auth.login',
          detail: { role: who.role, sessionId: session.id, device: session.deviceName, evicted },
          ip: client.ip,
        },
      ]);
      return { ok: true as const, evicted: evicted.length };
    });
    if (outcome.ok && outcome.evicted > 0) await this.d.invalidations.publish('login', who.userId);
    if (!outcome.ok) {
      const message =
        outcome.reason === 'exam_active'
          ? 'you are already signed in on another computer and your exam is running there; ask a proctor for help'
          : `you already have ${outcome.active} active sessions (the limit for ${who.role}s is ${policy.maxSessions}); sign out of one first${who.subjectType === 'staff' ? ', or sign in and end your oldest session' : ''}`;
      throw conflict('LOGIN_LIMIT_REACHED', message, { maxSessions: policy.maxSessions, activeSessions: outcome.active, reason: outcome.reason, canEndOldest: outcome.reason === 'limit' && who.subjectType === 'staff' });
    }
    return { token, session };
  }

  /** A staff member changes their own password: every session ends, and this device gets a new one. */
  async changePassword(p: Principal, current: string, next: string, client: ClientInfo) {
    const user = await this.d.db.repos.staff.findById(p.userId);
    // The same count as sign-in: a stolen session must not become an unthrottled password oracle.
    const slot = await this.reserve(this.staffAttempts, `staff:${user?.username.toLowerCase() ?? p.userId}`, client.ip);
    if (!user || !(await verifyPassword(current, user.passwordHash))) {
      await this.failed({ at: this.d.now(), actorType: 'staff', actorId: p.userId, action: 'auth.password_change_failed', detail: { userId: p.userId }, ip: client.ip });
      throw invalidCredentials('the current password is wrong');
    }
    await slot.release();
    const hash = await hashPassword(next);
    const t = this.d.now();
    const by = { at: t, actorType: 'staff' as const, actorId: p.userId, ip: client.ip };
    await this.d.db.tx(async (r) => {
      await r.staff.setPassword(user.id, hash, t);
      await r.audit.append([{ ...by, action: 'staff.password_changed', detail: { userId: user.id } }]);
      await revokeAllOfUser(r, user.id, null, 'password_changed', t, { ...by, action: 'auth.all_sessions_revoked', detail: { userId: user.id, reason: 'password_changed' } });
    });
    await this.d.invalidations.publish('login', user.id);
    const { token, session } = await this.openSession({ subjectType: 'staff', userId: user.id, role: user.role, examId: null, candidateId: null }, client);
    return { token, expiresAt: iso(session.expiresAt), user: { id: user.id, username: user.username, role: user.role } };
  }
}
