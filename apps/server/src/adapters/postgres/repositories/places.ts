import { and, count, eq, ne, sql, type AnyColumn } from 'drizzle-orm';
import type { CenterRecord, InUse, RoomRecord } from '../../../ports/admin-records.ts';
import type { PlacesRepo } from '../../../ports/repositories.ts';
import { binary, type Exec } from '../exec.ts';
import { centers, examSessions, registrations, rooms, staffAssignments } from '../schema.ts';

const sameText = (column: AnyColumn, value: string) => sql`lower(${column}) = lower(${value})`;

/** Exam centers and their rooms (names unique without regard to case: unique indexes on lower(name)). */
export class PgPlaces implements PlacesRepo {
  constructor(private readonly x: Exec) {}

  private centerQuery() {
    return this.x.db
      .select({
        id: centers.id,
        name: centers.name,
        address: centers.address,
        timeZone: centers.timeZone,
        locale: centers.locale,
        createdAt: centers.createdAt,
        roomCount: sql<number>`(select count(*) from rooms r where r.center_id = "centers"."id")`.mapWith(Number),
      })
      .from(centers);
  }

  listCenters(): Promise<CenterRecord[]> {
    return this.centerQuery().orderBy(binary(centers.name));
  }

  async getCenter(id: string): Promise<CenterRecord | undefined> {
    return (await this.centerQuery().where(eq(centers.id, id)).limit(1))[0];
  }

  async centerNameTaken(name: string, exceptId: string | null): Promise<boolean> {
    const where = exceptId === null ? sameText(centers.name, name) : and(sameText(centers.name, name), ne(centers.id, exceptId));
    return (await this.x.db.select({ id: centers.id }).from(centers).where(where).limit(1)).length > 0;
  }

  async createCenter(c: { id: string; name: string; address: string; timeZone?: string; locale?: string }, now: number): Promise<void> {
    await this.x.db.insert(centers).values({ ...c, createdAt: now });
  }

  async updateCenter(id: string, patch: { name?: string; address?: string; timeZone?: string; locale?: string }): Promise<boolean> {
    if (Object.keys(patch).length === 0) return (await this.getCenter(id)) !== undefined;
    return ((await this.x.db.update(centers).set(patch).where(eq(centers.id, id))).rowCount ?? 0) > 0;
  }

  listRooms(centerId: string): Promise<RoomRecord[]> {
    return this.x.db.select().from(rooms).where(eq(rooms.centerId, centerId)).orderBy(binary(rooms.name));
  }

  allRooms(): Promise<RoomRecord[]> {
    return this.x.db.select().from(rooms).orderBy(binary(rooms.centerId), binary(rooms.name));
  }

  async getRoom(id: string): Promise<RoomRecord | undefined> {
    return (await this.x.db.select().from(rooms).where(eq(rooms.id, id)).limit(1))[0];
  }

  async roomNameTaken(centerId: string, name: string, exceptId: string | null): Promise<boolean> {
    const base = and(eq(rooms.centerId, centerId), sameText(rooms.name, name));
    return (await this.x.db.select({ id: rooms.id }).from(rooms).where(exceptId === null ? base : and(base, ne(rooms.id, exceptId))).limit(1)).length > 0;
  }

  async createRoom(r: { id: string; centerId: string; name: string; capacity: number }, now: number): Promise<void> {
    await this.x.db.insert(rooms).values({ ...r, createdAt: now });
  }

  async updateRoom(id: string, patch: { name?: string; capacity?: number }): Promise<boolean> {
    if (Object.keys(patch).length === 0) return (await this.getRoom(id)) !== undefined;
    return ((await this.x.db.update(rooms).set(patch).where(eq(rooms.id, id))).rowCount ?? 0) > 0;
  }

  async usage(kind: 'center' | 'room', id: string): Promise<InUse> {
    const [regs] = await this.x.db
      .select({ n: count() })
      .from(registrations)
      .where(eq(kind === 'center' ? registrations.centerId : registrations.roomId, id));
    const [sessions] = await this.x.db
      .select({ n: count() })
      .from(examSessions)
      .where(eq(kind === 'center' ? examSessions.centerId : examSessions.roomId, id));
    const used: InUse = { registrations: regs?.n ?? 0, sessions: sessions?.n ?? 0 };
    if (kind === 'center') used.rooms = (await this.x.db.select({ n: count() }).from(rooms).where(eq(rooms.centerId, id)))[0]?.n ?? 0;
    return used;
  }

  delete(kind: 'center' | 'room', id: string): Promise<number> {
    return this.x.atomic(async (t) => {
      const removed = await t.db.delete(staffAssignments).where(eq(kind === 'center' ? staffAssignments.centerId : staffAssignments.roomId, id));
      if (kind === 'center') await t.db.delete(centers).where(eq(centers.id, id));
      else await t.db.delete(rooms).where(eq(rooms.id, id));
      return removed.rowCount ?? 0;
    });
  }
}
