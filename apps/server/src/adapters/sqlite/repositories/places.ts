import { and, asc, count, eq, ne, sql, type AnyColumn } from 'drizzle-orm';
import type { CenterRecord, InUse, RoomRecord } from '../../../ports/admin-records.ts';
import type { PlacesRepo } from '../../../ports/repositories.ts';
import type { Db } from '../open.ts';
import { centers, examSessions, registrations, rooms, staffAssignments } from '../schema.ts';
import { atomic, type Sync } from '../sync.ts';
import { mappingUnique } from '../unique.ts';

const sameText = (column: AnyColumn, value: string) => sql`lower(${column}) = lower(${value})`;

/** Exam centers and their rooms. */
export class SqlitePlaces implements Sync<PlacesRepo> {
  constructor(private readonly db: Db) {}

  private centerQuery() {
    return this.db
      .select({
        id: centers.id,
        name: centers.name,
        address: centers.address,
        timeZone: centers.timeZone,
        locale: centers.locale,
        createdAt: centers.createdAt,
        // Spelled out: drizzle leaves columns unqualified here, which a subquery would misread.
        roomCount: sql<number>`(select count(*) from rooms r where r.center_id = "centers"."id")`,
      })
      .from(centers);
  }

  listCenters(): CenterRecord[] {
    return this.centerQuery().orderBy(asc(centers.name)).all();
  }

  getCenter(id: string): CenterRecord | undefined {
    return this.centerQuery().where(eq(centers.id, id)).get();
  }

  centerNameTaken(name: string, exceptId: string | null): boolean {
    const where = exceptId === null ? sameText(centers.name, name) : and(sameText(centers.name, name), ne(centers.id, exceptId));
    return this.db.select({ id: centers.id }).from(centers).where(where).get() !== undefined;
  }

  createCenter(c: { id: string; name: string; address: string; timeZone?: string; locale?: string }, now: number): void {
    mappingUnique(() => this.db.insert(centers).values({ ...c, createdAt: now }).run());
  }

  updateCenter(id: string, patch: { name?: string; address?: string; timeZone?: string; locale?: string }): boolean {
    if (Object.keys(patch).length === 0) return this.getCenter(id) !== undefined;
    return mappingUnique(() => this.db.update(centers).set(patch).where(eq(centers.id, id)).run().changes > 0);
  }

  listRooms(centerId: string): RoomRecord[] {
    return this.db.select().from(rooms).where(eq(rooms.centerId, centerId)).orderBy(asc(rooms.name)).all();
  }

  allRooms(): RoomRecord[] {
    return this.db.select().from(rooms).all();
  }

  getRoom(id: string): RoomRecord | undefined {
    return this.db.select().from(rooms).where(eq(rooms.id, id)).get();
  }

  roomNameTaken(centerId: string, name: string, exceptId: string | null): boolean {
    const base = and(eq(rooms.centerId, centerId), sameText(rooms.name, name));
    return this.db.select({ id: rooms.id }).from(rooms).where(exceptId === null ? base : and(base, ne(rooms.id, exceptId))).get() !== undefined;
  }

  createRoom(r: { id: string; centerId: string; name: string; capacity: number }, now: number): void {
    mappingUnique(() => this.db.insert(rooms).values({ ...r, createdAt: now }).run());
  }

  updateRoom(id: string, patch: { name?: string; capacity?: number }): boolean {
    if (Object.keys(patch).length === 0) return this.getRoom(id) !== undefined;
    return mappingUnique(() => this.db.update(rooms).set(patch).where(eq(rooms.id, id)).run().changes > 0);
  }

  usage(kind: 'center' | 'room', id: string): InUse {
    const regs = this.db
      .select({ n: count() })
      .from(registrations)
      .where(eq(kind === 'center' ? registrations.centerId : registrations.roomId, id))
      .get();
    const sessions = this.db
      .select({ n: count() })
      .from(examSessions)
      .where(eq(kind === 'center' ? examSessions.centerId : examSessions.roomId, id))
      .get();
    const used: InUse = { registrations: regs?.n ?? 0, sessions: sessions?.n ?? 0 };
    if (kind === 'center') used.rooms = this.db.select({ n: count() }).from(rooms).where(eq(rooms.centerId, id)).get()?.n ?? 0;
    return used;
  }

  delete(kind: 'center' | 'room', id: string): number {
    return atomic(this.db, () => {
      const removed = this.db
        .delete(staffAssignments)
        .where(eq(kind === 'center' ? staffAssignments.centerId : staffAssignments.roomId, id))
        .run().changes;
      if (kind === 'center') this.db.delete(centers).where(eq(centers.id, id)).run();
      else this.db.delete(rooms).where(eq(rooms.id, id)).run();
      return removed;
    });
  }
}
