import type { Center, CreateCenterRequest, CreateRoomRequest, Room, UpdateCenterRequest, UpdateRoomRequest } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import type { CenterRecord, InUse, RoomRecord } from '../ports/admin-records.ts';
import type { Database } from '../ports/database.ts';
import { conflict, notFound } from '../ports/errors.ts';
import { staffAudit, type Actor } from './audit.ts';

const iso = (t: number) => new Date(t).toISOString();

export const centerView = (c: CenterRecord): Center => ({ id: c.id, name: c.name, address: c.address, timeZone: c.timeZone, locale: c.locale, roomCount: c.roomCount, createdAt: iso(c.createdAt) });
export const roomView = (r: RoomRecord): Room => ({ id: r.id, centerId: r.centerId, name: r.name, capacity: r.capacity, createdAt: iso(r.createdAt) });

function inUseError(what: string, inUse: InUse) {
  const parts = Object.entries(inUse)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${n} ${k}`);
  return conflict('CONFLICT', `this ${what} is still in use (${parts.join(', ')}); move or remove those first`, inUse);
}

const used = (u: InUse) => (u.rooms ?? 0) + (u.registrations ?? 0) + (u.sessions ?? 0) > 0;

/** Exam centers and their rooms; every check runs in the transaction that writes. */
export class PlacesService {
  constructor(private readonly d: { db: Database; now: () => number }) {}

  async listCenters(): Promise<{ centers: Center[] }> {
    return { centers: (await this.d.db.repos.places.listCenters()).map(centerView) };
  }

  async getCenter(id: string): Promise<Center> {
    const c = await this.d.db.repos.places.getCenter(id);
    if (!c) throw notFound('no such center');
    return centerView(c);
  }

  async createCenter(by: Actor, req: CreateCenterRequest): Promise<Center> {
    const id = randomUUID();
    const t = this.d.now();
    const c = { id, name: req.name, address: req.address ?? '', ...(req.timeZone ? { timeZone: req.timeZone } : {}), ...(req.locale ? { locale: req.locale } : {}) };
    await this.d.db.tx(async (r) => {
      if (await r.places.centerNameTaken(c.name, null)) throw conflict('CONFLICT', `a center named "${req.name}" already exists`);
      await r.places.createCenter(c, t);
      await r.audit.append([staffAudit(by, t, 'center.created', { centerId: id, name: c.name, address: c.address, ...(req.timeZone ? { timeZone: req.timeZone } : {}), ...(req.locale ? { locale: req.locale } : {}) })]);
    });
    return this.getCenter(id);
  }

  async updateCenter(by: Actor, id: string, req: UpdateCenterRequest): Promise<Center> {
    const t = this.d.now();
    await this.d.db.tx(async (r) => {
      if (!(await r.places.getCenter(id))) throw notFound('no such center');
      if (req.name !== undefined && (await r.places.centerNameTaken(req.name, id))) throw conflict('CONFLICT', `a center named "${req.name}" already exists`);
      await r.places.updateCenter(id, req);
      await r.audit.append([staffAudit(by, t, 'center.updated', { centerId: id, changes: req })]);
    });
    return this.getCenter(id);
  }

  async deleteCenter(by: Actor, id: string): Promise<void> {
    const t = this.d.now();
    await this.d.db.tx(async (r) => {
      const c = await r.places.getCenter(id);
      if (!c) throw notFound('no such center');
      const inUse = await r.places.usage('center', id);
      if (used(inUse)) throw inUseError('center', inUse);
      const assignmentsRemoved = await r.places.delete('center', id);
      await r.audit.append([staffAudit(by, t, 'center.deleted', { centerId: id, name: c.name, assignmentsRemoved })]);
    });
  }

  async listRooms(centerId: string): Promise<{ rooms: Room[] }> {
    if (!(await this.d.db.repos.places.getCenter(centerId))) throw notFound('no such center');
    return { rooms: (await this.d.db.repos.places.listRooms(centerId)).map(roomView) };
  }

  async getRoom(id: string): Promise<Room> {
    const r = await this.d.db.repos.places.getRoom(id);
    if (!r) throw notFound('no such room');
    return roomView(r);
  }

  async createRoom(by: Actor, centerId: string, req: CreateRoomRequest): Promise<Room> {
    const id = randomUUID();
    const t = this.d.now();
    const room = { id, centerId, name: req.name, capacity: req.capacity ?? 0 };
    await this.d.db.tx(async (r) => {
      if (!(await r.places.getCenter(centerId))) throw notFound('no such center');
      if (await r.places.roomNameTaken(centerId, room.name, null)) throw conflict('CONFLICT', `this center already has a room named "${req.name}"`);
      await r.places.createRoom(room, t);
      await r.audit.append([staffAudit(by, t, 'room.created', { roomId: id, centerId, name: room.name, capacity: room.capacity })]);
    });
    return this.getRoom(id);
  }

  async updateRoom(by: Actor, id: string, req: UpdateRoomRequest): Promise<Room> {
    const t = this.d.now();
    await this.d.db.tx(async (r) => {
      const room = await r.places.getRoom(id);
      if (!room) throw notFound('no such room');
      if (req.name !== undefined && (await r.places.roomNameTaken(room.centerId, req.name, id))) throw conflict('CONFLICT', `this center already has a room named "${req.name}"`);
      await r.places.updateRoom(id, req);
      await r.audit.append([staffAudit(by, t, 'room.updated', { roomId: id, changes: req })]);
    });
    return this.getRoom(id);
  }

  async deleteRoom(by: Actor, id: string): Promise<void> {
    const t = this.d.now();
    await this.d.db.tx(async (r) => {
      const room = await r.places.getRoom(id);
      if (!room) throw notFound('no such room');
      const inUse = await r.places.usage('room', id);
      if (used(inUse)) throw inUseError('room', { registrations: inUse.registrations, sessions: inUse.sessions });
      const assignmentsRemoved = await r.places.delete('room', id);
      await r.audit.append([staffAudit(by, t, 'room.deleted', { roomId: id, centerId: room.centerId, name: room.name, assignmentsRemoved })]);
    });
  }
}
