import { and, asc, count, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { StaffAccountRecord } from '../../../ports/admin-records.ts';
import type { StaffRepo } from '../../../ports/repositories.ts';
import type { Assignment, StaffRecord } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { staffAssignments, staffUsers } from '../schema.ts';
import { atomic, type Sync } from '../sync.ts';
import { mappingUnique } from '../unique.ts';

const toStaff = (r: typeof staffUsers.$inferSelect): StaffRecord => ({ id: r.id, username: r.username, passwordHash: r.passwordHash, role: r.role, disabled: r.disabledAt !== null });

export class SqliteStaff implements Sync<StaffRepo> {
  constructor(private readonly db: Db) {}

  count(): number {
    return this.db.select({ n: count() }).from(staffUsers).get()?.n ?? 0;
  }

  create(u: { id: string; username: string; displayName: string; role: 'admin' | 'proctor'; passwordHash: string }, now: number): boolean {
    return atomic(this.db, () => {
      if (this.db.select({ id: staffUsers.id }).from(staffUsers).where(sql`lower(${staffUsers.username}) = lower(${u.username})`).get()) return false;
      mappingUnique(() => this.db.insert(staffUsers).values({ ...u, createdAt: now, passwordChangedAt: now }).run());
      return true;
    });
  }

  findByUsername(username: string): StaffRecord | undefined {
    const r = this.db.select().from(staffUsers).where(eq(staffUsers.username, username)).get();
    return r && toStaff(r);
  }

  findById(id: string): StaffRecord | undefined {
    const r = this.db.select().from(staffUsers).where(eq(staffUsers.id, id)).get();
    return r && toStaff(r);
  }

  assignments(staffId: string): Assignment[] {
    return this.db.select({ centerId: staffAssignments.centerId, roomId: staffAssignments.roomId }).from(staffAssignments).where(eq(staffAssignments.staffId, staffId)).all();
  }

  setPassword(id: string, passwordHash: string, now: number): boolean {
    return this.db.update(staffUsers).set({ passwordHash, passwordChangedAt: now }).where(eq(staffUsers.id, id)).run().changes > 0;
  }

  private accounts(where?: SQL): StaffAccountRecord[] {
    const users = this.db
      .select({
        id: staffUsers.id,
        username: staffUsers.username,
        displayName: staffUsers.displayName,
        role: staffUsers.role,
        disabledAt: staffUsers.disabledAt,
        createdAt: staffUsers.createdAt,
        passwordChangedAt: staffUsers.passwordChangedAt,
      })
      .from(staffUsers)
      .where(where)
      .orderBy(asc(staffUsers.username))
      .all();
    if (users.length === 0) return [];
    const all = this.db
      .select({ staffId: staffAssignments.staffId, centerId: staffAssignments.centerId, roomId: staffAssignments.roomId })
      .from(staffAssignments)
      .where(users.length === 1 ? eq(staffAssignments.staffId, users[0]!.id) : undefined)
      .orderBy(asc(staffAssignments.createdAt), asc(staffAssignments.id))
      .all();
    const byStaff = new Map<string, Assignment[]>();
    for (const a of all) {
      const list = byStaff.get(a.staffId) ?? [];
      list.push({ centerId: a.centerId, roomId: a.roomId });
      byStaff.set(a.staffId, list);
    }
    return users.map((u) => ({ ...u, assignments: byStaff.get(u.id) ?? [] }));
  }

  list(): StaffAccountRecord[] {
    return this.accounts();
  }

  getAccount(id: string): StaffAccountRecord | undefined {
    return this.accounts(eq(staffUsers.id, id))[0];
  }

  update(id: string, patch: { role?: 'admin' | 'proctor'; displayName?: string; disabledAt?: number | null }): boolean {
    if (Object.keys(patch).length === 0) return this.db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.id, id)).get() !== undefined;
    return this.db.update(staffUsers).set(patch).where(eq(staffUsers.id, id)).run().changes > 0;
  }

  countOtherActiveAdmins(exceptId: string): number {
    return this.db.select({ n: count() }).from(staffUsers).where(and(eq(staffUsers.role, 'admin'), isNull(staffUsers.disabledAt), ne(staffUsers.id, exceptId))).get()?.n ?? 0;
  }

  replaceAssignments(staffId: string, assignments: Assignment[], now: number): void {
    atomic(this.db, () => {
      this.db.delete(staffAssignments).where(eq(staffAssignments.staffId, staffId)).run();
      if (assignments.length) {
        this.db
          .insert(staffAssignments)
          .values(assignments.map((a, i) => ({ id: randomUUID(), staffId, centerId: a.centerId, roomId: a.roomId, createdAt: now + i })))
          .run();
      }
    });
  }
}
