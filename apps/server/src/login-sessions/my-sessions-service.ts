import type { LoginSession, LoginSessionAnalytics } from '@invigil/contract';
import type { Database } from '../ports/database.ts';
import { notFound } from '../ports/errors.ts';
import type { Invalidations } from '../ports/invalidation.ts';
import type { AuditEntry, AuthSessionRecord, Principal } from '../ports/types.ts';
import type { Authenticator } from './authenticator.ts';
import { loginDeadline } from './deadline.ts';
import { revokeAllOfUser } from './revoke.ts';

const iso = (t: number) => new Date(t).toISOString();

/** PROTOCOL.md "Login sessions": the caller's own sessions, analytics, revoking; and the hourly cleanup. */
export class MySessionsService {
  constructor(private readonly d: { db: Database; now: () => number; authenticator: Authenticator; invalidations: Invalidations }) {}

  /** `s` as `Authenticator.liveLogins` answers it: its last activity includes what is not flushed yet. */
  private view(s: AuthSessionRecord, current: string): LoginSession {
    const last = s.lastActivity;
    const deadline = loginDeadline(s, last);
    return {
      id: s.id,
      deviceInfo: { deviceType: s.deviceType, deviceName: s.deviceName, browser: s.browser, os: s.os, userAgent: s.userAgent },
      ipAddress: s.ipAddress,
      createdAt: iso(s.createdAt),
      lastActivity: iso(last),
      // Pinned to a running exam: it renews with activity, like an idle deadline that keeps moving.
      expiresAt: iso(Number.isFinite(deadline) ? deadline : Math.max(last, this.d.now()) + s.idleTimeoutMs),
      isCurrent: s.id === current,
    };
  }

  /** The user's live logins with the activity not flushed yet (without a flush: see Authenticator.liveLogins). */
  private live(userId: string, t = this.d.now()): Promise<AuthSessionRecord[]> {
    return this.d.authenticator.liveLogins(this.d.db.repos, userId, t);
  }

  async list(p: Principal): Promise<LoginSession[]> {
    const live = await this.live(p.userId);
    return live.sort((a, b) => b.lastActivity - a.lastActivity).map((s) => this.view(s, p.sessionId));
  }

  async count(p: Principal): Promise<{ count: number }> {
    return { count: (await this.live(p.userId)).length };
  }

  async analytics(p: Principal): Promise<LoginSessionAnalytics> {
    const t = this.d.now();
    const all = await this.d.db.repos.loginSessions.all(p.userId, 1_000);
    const live = new Set((await this.live(p.userId, t)).map((s) => s.id));
    const endOf = (s: AuthSessionRecord) => (live.has(s.id) ? null : (s.revokedAt ?? loginDeadline(s)));
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
    return { at: this.d.now(), actorType: p.role === 'candidate' ? 'candidate' : 'staff', actorId: p.role === 'candidate' ? (p.candidateId ?? p.userId) : p.userId, action, detail, ip };
  }

  /** Revokes one of the caller's own sessions; anybody else's id is 404, like an unknown one. */
  async revokeOwn(p: Principal, id: string, ip: string): Promise<void> {
    const ok = await this.d.db.tx(async (r) => {
      const n = await r.loginSessions.revoke([id], id === p.sessionId ? 'logout' : 'revoked_by_owner', this.d.now(), p.userId);
      if (n > 0) await r.audit.append([this.audit(p, 'auth.session_revoked', ip, { sessionId: id })]);
      return n > 0;
    });
    if (!ok) throw notFound('no such session');
    await this.d.invalidations.publish('login', p.userId);
  }

  async revokeOthers(p: Principal, ip: string): Promise<number> {
    const n = await this.d.db.tx((r) => revokeAllOfUser(r, p.userId, p.sessionId, 'revoked_by_owner', this.d.now(), this.audit(p, 'auth.other_sessions_revoked', ip, {})));
    await this.d.invalidations.publish('login', p.userId);
    return n;
  }

  /** An admin ends every login session of a user. */
  async revokeAllSessionsOfUser(userId: string, reason: string, by: Principal, ip: string): Promise<number> {
    const { staff, loginSessions } = this.d.db.repos;
    if (!(await staff.findById(userId)) && (await loginSessions.all(userId, 1)).length === 0) throw notFound('no such user');
    const n = await this.d.db.tx((r) => revokeAllOfUser(r, userId, null, reason, this.d.now(), this.audit(by, 'auth.all_sessions_revoked', ip, { userId, reason })));
    await this.d.invalidations.publish('login', userId);
    return n;
  }

  /** The login user id of a candidate's registration for an exam; 404 when there is none. */
  private async registrationId(examId: string, candidateId: string): Promise<string> {
    const reg = (await this.d.db.repos.registrations.credentials(examId, [candidateId])).get(candidateId);
    if (!reg) throw notFound('no such candidate in this exam');
    return reg.id;
  }

  /** An admin lists a candidate's live logins for an exam (a leaked access code: who is signed in with it, from where). */
  async candidateLogins(examId: string, candidateId: string): Promise<LoginSession[]> {
    const userId = await this.registrationId(examId, candidateId);
    return (await this.live(userId)).map((s) => this.view(s, ''));
  }

  /** An admin ends one (`id`) or every login of a candidate for an exam; another candidate's id is 404. */
  async revokeCandidateLogins(by: Principal, examId: string, candidateId: string, ip: string, id?: string): Promise<number> {
    const userId = await this.registrationId(examId, candidateId);
    const now = this.d.now();
    const audit = this.audit(by, 'auth.candidate_sessions_revoked', ip, { examId, candidateId, sessionId: id ?? null });
    const n = await this.d.db.tx(async (r) => {
      const revoked = id === undefined ? await r.loginSessions.revokeAll(userId, null, 'revoked_by_admin', now) : await r.loginSessions.revoke([id], 'revoked_by_admin', now, userId);
      if (revoked > 0 || id === undefined) await r.audit.append([{ ...audit, detail: { ...audit.detail, revoked } }]);
      return revoked;
    });
    if (id !== undefined && n === 0) throw notFound('no such session');
    return n;
  }

  /** The hourly cleanup: sessions past their deadlines are marked ended. */
  async cleanup(): Promise<number> {
    await this.d.authenticator.flushActivity();
    return this.d.db.repos.loginSessions.cleanup(this.d.now());
  }
}
