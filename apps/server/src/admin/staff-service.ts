import type { CreateStaffRequest, SetAssignmentsRequest, StaffAccount, UpdateStaffRequest } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import { revokeAllOfUser } from '../login-sessions/revoke.ts';
import type { StaffAccountRecord } from '../ports/admin-records.ts';
import type { Database } from '../ports/database.ts';
import type { Invalidations } from '../ports/invalidation.ts';
import { conflict, notFound } from '../ports/errors.ts';
import type { Repos } from '../ports/repositories.ts';
import type { Assignment } from '../ports/types.ts';
import { hashPassword } from '../security/tokens.ts';
import { staffAudit, type Actor } from './audit.ts';

const iso = (t: number) => new Date(t).toISOString();

/** Never a password hash. */
export const staffView = (u: StaffAccountRecord): StaffAccount => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  disabled: u.disabledAt !== null,
  createdAt: iso(u.createdAt),
  passwordChangedAt: iso(u.passwordChangedAt),
  assignments: u.assignments,
});

/** Staff accounts: create, change, disable, reset passwords, assign proctors to centers and rooms. */
export class StaffService {
  constructor(private readonly d: { db: Database; now: () => number; invalidations: Invalidations }) {}

  async list(): Promise<{ staff: StaffAccount[] }> {
    return { staff: (await this.d.db.repos.staff.list()).map(staffView) };
  }

  async get(id: string): Promise<StaffAccount> {
    const u = await this.d.db.repos.staff.getAccount(id);
    if (!u) throw notFound('no such staff account');
    return staffView(u);
  }

  async create(by: Actor, req: CreateStaffRequest): Promise<StaffAccount> {
    const passwordHash = await hashPassword(req.password);
    const id = randomUUID();
    const t = this.d.now();
    const user = { id, username: req.username, displayName: req.displayName ?? '', role: req.role, passwordHash };
    await this.d.db.tx(async (r) => {
      if (!(await r.staff.create(user, t))) throw conflict('CONFLICT', `the username "${req.username}" is taken`);
      await r.audit.append([staffAudit(by, t, 'staff.created', { userId: id, username: user.username, role: user.role, displayName: user.displayName })]);
    });
    return this.get(id);
  }

  private revoke(r: Repos, by: Actor, userId: string, reason: string, t: number): Promise<number> {
    return revokeAllOfUser(r, userId, null, reason, t, staffAudit(by, t, 'auth.all_sessions_revoked', { userId, reason }));
  }

  /** A role change or disabling ends all the account's login sessions (a session carries the role it signed in with). */
  async update(by: Actor, id: string, req: UpdateStaffRequest): Promise<{ staff: StaffAccount; revokedSessions: number }> {
    const revokedSessions = await this.d.db.tx(async (r) => {
      const u = await r.staff.getAccount(id);
      if (!u) throw notFound('no such staff account');
      const t = this.d.now();
      const losesAdmin = u.role === 'admin' && u.disabledAt === null && (req.role === 'proctor' || req.disabled === true);
      if (losesAdmin && (await r.staff.countOtherActiveAdmins(id)) === 0) {
        throw conflict('CONFLICT', 'this is the last enabled admin account; make another admin first');
      }
      const disabledAt = req.disabled === undefined ? undefined : req.disabled ? (u.disabledAt ?? t) : null;
      const patch = {
        ...(req.role !== undefined ? { role: req.role } : {}),
        ...(req.displayName !== undefined ? { displayName: req.displayName } : {}),
        ...(disabledAt !== undefined ? { disabledAt } : {}),
      };
      await r.staff.update(id, patch);
      await r.audit.append([staffAudit(by, t, 'staff.updated', { userId: id, username: u.username, changes: req })]);
      if (req.disabled === true) return this.revoke(r, by, id, 'account_disabled', t);
      if (req.role !== undefined && req.role !== u.role) return this.revoke(r, by, id, 'role_changed', t);
      return 0;
    });
    // Open live streams of the account check their login (and its scope) again at once.
    await this.d.invalidations.publish('login', id);
    return { staff: await this.get(id), revokedSessions };
  }

  /** An admin sets a new password: every login session of the account ends, in the same transaction. */
  async resetPassword(by: Actor, id: string, password: string): Promise<{ success: true; revokedSessions: number }> {
    if (!(await this.d.db.repos.staff.getAccount(id))) throw notFound('no such staff account');
    const hash = await hashPassword(password);
    const revokedSessions = await this.d.db.tx(async (r) => {
      const t = this.d.now();
      if (!(await r.staff.setPassword(id, hash, t))) throw notFound('no such staff account');
      await r.audit.append([staffAudit(by, t, 'staff.password_reset', { userId: id })]);
      return this.revoke(r, by, id, 'password_reset', t);
    });
    await this.d.invalidations.publish('login', id);
    return { success: true, revokedSessions };
  }

  /** Replaces the account's centers/rooms; each must exist, and a room must belong to its center. */
  async setAssignments(by: Actor, id: string, req: SetAssignmentsRequest): Promise<StaffAccount> {
    await this.d.db.tx(async (r) => {
      const u = await r.staff.getAccount(id);
      if (!u) throw notFound('no such staff account');
      const seen = new Set<string>();
      const list: Assignment[] = [];
      for (const a of req.assignments) {
        const roomId = a.roomId ?? null;
        if (!(await r.places.getCenter(a.centerId))) throw notFound(`no such center: ${a.centerId}`);
        if (roomId !== null && (await r.places.getRoom(roomId))?.centerId !== a.centerId) throw notFound(`no such room in center ${a.centerId}: ${roomId}`);
        const key = `${a.centerId}/${roomId ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        list.push({ centerId: a.centerId, roomId });
      }
      const t = this.d.now();
      await r.staff.replaceAssignments(id, list, t);
      await r.audit.append([staffAudit(by, t, 'staff.assignments_set', { userId: id, username: u.username, before: u.assignments, after: list })]);
    });
    await this.d.invalidations.publish('login', id);
    return this.get(id);
  }
}
