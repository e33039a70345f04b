import { and, asc, count, eq, isNull, ne, type SQL } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { StaffAccountRecord } from '../../../ports/admin-records.ts';
import type { StaffRepo } from '../../../ports/repositories.ts';
import type { Assignment, StaffRecord } from '../../../ports/types.ts';
import { binary, type Exec } from '../exec.ts';
import { staffAssignments, staffUsers } from '../schema.ts';

const toStaff = (r: typeof staffUsers.$inferSelect): StaffRecord => ({ id: r.id, username: r.username, passwordHash: r.passwordHash, role: r.role, disabled: r.disabledAt !== null });

export class PgStaff implements StaffRepo {
  constructor(private readonly x: Exec) {}

  async count(): Promise<number> {
    const [r] = await this.x.db.select({ n: count() }).from(staffUsers);
    return r?.n ?? 0;
  }

  /**
   * The unique index on lower(username) decides, whatever the concurrency: a taken name (in any
   * case, even by a unit of work not yet committed) inserts nothing and answers false.
   */
  async create(u: { id: string; username: string; displayName: string; role: 'admin' | 'proctor'; passwordHash: string }, now: number): Promise<boolean> {
    const inserted = await this.x.db
      .insert(staffUsers)
      .values({ ...u, createdAt: now, passwordChangedAt: now })
      .onConflictDoNothing()
      .returning({ id: staffUsers.id });
    return inserted.length > 0;
  }

  async findByUsername(username: string): Promise<StaffRecord | undefined> {
    const [r] = await this.x.db.select().from(staffUsers).where(eq(staffUsers.username, username)).limit(1);
    return r && toStaff(r);
  }

  async findById(id: string): Promise<StaffRecord | undefined> {
    const [r] = await this.x.db.select().from(staffUsers).where(eq(staffUsers.id, id)).limit(1);
    return r && toStaff(r);
  }

  assignments(staffId: string): Promise<Assignment[]> {
    return this.x.db
      .select({ centerId: staffAssignments.centerId, roomId: staffAssignments.roomId })
      .from(staffAssignments)
      .where(eq(staffAssignments.staffId, staffId))
      .orderBy(asc(staffAssignments.createdAt), binary(staffAssignments.id));
  }

  async setPassword(id: string, passwordHash: string, now: number): Promise<boolean> {
    return ((await this.x.db.update(staffUsers).set({ passwordHash, passwordChangedAt: now }).where(eq(staffUsers.id, id))).rowCount ?? 0) > 0;
  }

  private async accounts(where?: SQL): Promise<StaffAccountRecord[]> {
    const users = await this.x.db
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
      .orderBy(binary(staffUsers.username));
    if (users.length === 0) return [];
    const all = await this.x.db
      .select({ staffId: staffAssignments.staffId, centerId: staffAssignments.centerId, roomId: staffAssignments.roomId })
      .from(staffAssignments)
      .where(users.length === 1 ? eq(staffAssignments.staffId, users[0]!.id) : undefined)
      .orderBy(asc(staffAssignments.createdAt), binary(staffAssignments.id));
    const byStaff = new Map<string, Assignment[]>();
    for (const a of all) {
      const list = byStaff.get(a.staffId) ?? [];
      list.push({ centerId: a.centerId, roomId: a.roomId });
      byStaff.set(a.staffId, list);
    }
    return users.map((u) => ({ ...u, assignments: byStaff.get(u.id) ?? [] }));
  }

  list(): Promise<StaffAccountRecord[]> {
    return this.accounts();
  }

  async getAccount(id: string): Promise<StaffAccountRecord | undefined> {
    return (await this.accounts(eq(staffUsers.id, id)))[0];
  }

  async update(id: string, patch: { role?: 'admin' | 'proctor'; displayName?: string; disabledAt?: number | null }): Promise<boolean> {
    if (Object.keys(patch).length === 0) return (await this.x.db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.id, id)).limit(1)).length > 0;
    return ((await this.x.db.update(staffUsers).set(patch).where(eq(staffUsers.id, id))).rowCount ?? 0) > 0;
  }

  async countOtherActiveAdmins(exceptId: string): Promise<number> {
    const [r] = await this.x.db
      .select({ n: count() })
      .from(staffUsers)
      .where(and(eq(staffUsers.role, 'admin'), isNull(staffUsers.disabledAt), ne(staffUsers.id, exceptId)));
    return r?.n ?? 0;
  }

  replaceAssignments(staffId: string, assignments: Assignment[], now: number): Promise<void> {
    return this.x.atomic(async (t) => {
      await t.db.delete(staffAssignments).where(eq(staffAssignments.staffId, staffId));
      if (assignments.length) {
        await t.db.insert(staffAssignments).values(assignments.map((a, i) => ({ id: randomUUID(), staffId, centerId: a.centerId, roomId: a.roomId, createdAt: now + i })));
      }
    });
  }
}
