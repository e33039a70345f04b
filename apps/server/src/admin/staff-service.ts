import type { CreateStaffRequest, SetAssignmentsRequest, StaffAccount, UpdateStaffRequest } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../http/errors.ts';
import { hashPassword } from '../security/tokens.ts';
import type { AdminStore, StaffAccountRecord } from './admin-store.ts';
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

export interface StaffServiceDeps {
  store: AdminStore;
  now: () => number;
  /** Ends every login session of the user (synchronous: joins the caller's transaction); answers how many. */
  revokeSessions: (userId: string, reason: string, by: Actor) => number;
}

/** Staff accounts: create, change, disable, reset passwords, assign proctors to centers and rooms. */
export class StaffService {
  constructor(private readonly d: StaffServiceDeps) {}

  list(): { staff: StaffAccount[] } {
    return { staff: this.d.store.listStaff().map(staffView) };
  }

  get(id: string): StaffAccount {
    const u = this.d.store.getStaff(id);
    if (!u) throw notFound('no such staff account');
    return staffView(u);
  }

  async create(by: Actor, req: CreateStaffRequest): Promise<StaffAccount> {
    const passwordHash = await hashPassword(req.password);
    const id = randomUUID();
    const t = this.d.now();
    const user = { id, username: req.username, displayName: req.displayName ?? '', role: req.role, passwordHash };
    const ok = this.d.store.createStaff(user, t, staffAudit(by, t, 'staff.created', { userId: id, username: user.username, role: user.role, displayName: user.displayName }));
    if (!ok) throw new AppError(409, 'CONFLICT', `the username "${req.username}" is taken`);
    return this.get(id);
  }

  /** A role change or disabling ends all the account's login sessions (a session carries the role it signed in with). */
  update(by: Actor, id: string, req: UpdateStaffRequest): { staff: StaffAccount; revokedSessions: number } {
    const revokedSessions = this.d.store.atomically(() => {
      const u = this.d.store.getStaff(id);
      if (!u) throw notFound('no such staff account');
      const t = this.d.now();
      const losesAdmin = u.role === 'admin' && u.disabledAt === null && (req.role === 'proctor' || req.disabled === true);
      if (losesAdmin && this.d.store.countOtherActiveAdmins(id) === 0) {
        throw new AppError(409, 'CONFLICT', 'this is the last enabled admin account; make another admin first');
      }
      const disabledAt = req.disabled === undefined ? undefined : req.disabled ? (u.disabledAt ?? t) : null;
      const patch = {
        ...(req.role !== undefined ? { role: req.role } : {}),
        ...(req.displayName !== undefined ? { displayName: req.displayName } : {}),
        ...(disabledAt !== undefined ? { disabledAt } : {}),
      };
      this.d.store.updateStaff(id, patch, staffAudit(by, t, 'staff.updated', { userId: id, username: u.username, changes: req }));
      if (req.disabled === true) return this.d.revokeSessions(id, 'account_disabled', by);
      if (req.role !== undefined && req.role !== u.role) return this.d.revokeSessions(id, 'role_changed', by);
      return 0;
    });
    return { staff: this.get(id), revokedSessions };
  }

  /** An admin sets a new password: every login session of the account ends, in the same transaction. */
  async resetPassword(by: Actor, id: string, password: string): Promise<{ success: true; revokedSessions: number }> {
    if (!this.d.store.getStaff(id)) throw notFound('no such staff account');
    const hash = await hashPassword(password);
    const revokedSessions = this.d.store.atomically(() => {
      const t = this.d.now();
      if (!this.d.store.setStaffPassword(id, hash, t, staffAudit(by, t, 'staff.password_reset', { userId: id }))) throw notFound('no such staff account');
      return this.d.revokeSessions(id, 'password_reset', by);
    });
    return { success: true, revokedSessions };
  }

  /** Replaces the account's centers/rooms; each must exist, and a room must belong to its center. */
  setAssignments(by: Actor, id: string, req: SetAssignmentsRequest): StaffAccount {
    this.d.store.atomically(() => {
      const u = this.d.store.getStaff(id);
      if (!u) throw notFound('no such staff account');
      const seen = new Set<string>();
      const list: { centerId: string; roomId: string | null }[] = [];
      for (const a of req.assignments) {
        const roomId = a.roomId ?? null;
        if (!this.d.store.getCenter(a.centerId)) throw notFound(`no such center: ${a.centerId}`);
        if (roomId !== null && this.d.store.getRoom(roomId)?.centerId !== a.centerId) throw notFound(`no such room in center ${a.centerId}: ${roomId}`);
        const key = `${a.centerId}/${roomId ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        list.push({ centerId: a.centerId, roomId });
      }
      const t = this.d.now();
      this.d.store.replaceAssignments(id, list, t, staffAudit(by, t, 'staff.assignments_set', { userId: id, username: u.username, before: u.assignments, after: list }));
    });
    return this.get(id);
  }
}
