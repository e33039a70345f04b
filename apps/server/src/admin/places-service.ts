import type { Center, CreateCenterRequest, CreateRoomRequest, Room, UpdateCenterRequest, UpdateRoomRequest } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../http/errors.ts';
import type { AdminStore, CenterRecord, DeleteOutcome, RoomRecord } from './admin-store.ts';
import { staffAudit, type Actor } from './audit.ts';

const iso = (t: number) => new Date(t).toISOString();

export const centerView = (c: CenterRecord): Center => ({ id: c.id, name: c.name, address: c.address, roomCount: c.roomCount, createdAt: iso(c.createdAt) });
export const roomView = (r: RoomRecord): Room => ({ id: r.id, centerId: r.centerId, name: r.name, capacity: r.capacity, createdAt: iso(r.createdAt) });

function refuseDelete(what: string, outcome: Exclude<DeleteOutcome, { ok: true }>): never {
  if (outcome.reason === 'not_found') throw notFound(`no such ${what}`);
  const parts = Object.entries(outcome.inUse)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${n} ${k}`);
  throw new AppError(409, 'CONFLICT', `this ${what} is still in use (${parts.join(', ')}); move or remove those first`, outcome.inUse);
}

/** Exam centers and their rooms. */
export class PlacesService {
  constructor(private readonly d: { store: AdminStore; now: () => number }) {}

  listCenters(): { centers: Center[] } {
    return { centers: this.d.store.listCenters().map(centerView) };
  }

  getCenter(id: string): Center {
    const c = this.d.store.getCenter(id);
    if (!c) throw notFound('no such center');
    return centerView(c);
  }

  createCenter(by: Actor, req: CreateCenterRequest): Center {
    const id = randomUUID();
    const t = this.d.now();
    const c = { id, name: req.name, address: req.address ?? '' };
    if (!this.d.store.createCenter(c, t, staffAudit(by, t, 'center.created', { centerId: id, name: c.name, address: c.address }))) {
      throw new AppError(409, 'CONFLICT', `a center named "${req.name}" already exists`);
    }
    return this.getCenter(id);
  }

  updateCenter(by: Actor, id: string, req: UpdateCenterRequest): Center {
    const t = this.d.now();
    const r = this.d.store.updateCenter(id, req, staffAudit(by, t, 'center.updated', { centerId: id, changes: req }));
    if (r === 'not_found') throw notFound('no such center');
    if (r === 'name_taken') throw new AppError(409, 'CONFLICT', `a center named "${req.name}" already exists`);
    return this.getCenter(id);
  }

  deleteCenter(by: Actor, id: string): void {
    const t = this.d.now();
    const name = this.d.store.getCenter(id)?.name;
    const r = this.d.store.deleteCenter(id, staffAudit(by, t, 'center.deleted', { centerId: id, name }));
    if (!r.ok) refuseDelete('center', r);
  }

  listRooms(centerId: string): { rooms: Room[] } {
    if (!this.d.store.getCenter(centerId)) throw notFound('no such center');
    return { rooms: this.d.store.listRooms(centerId).map(roomView) };
  }

  getRoom(id: string): Room {
    const r = this.d.store.getRoom(id);
    if (!r) throw notFound('no such room');
    return roomView(r);
  }

  createRoom(by: Actor, centerId: string, req: CreateRoomRequest): Room {
    const id = randomUUID();
    const t = this.d.now();
    const room = { id, centerId, name: req.name, capacity: req.capacity ?? 0 };
    const r = this.d.store.createRoom(room, t, staffAudit(by, t, 'room.created', { roomId: id, centerId, name: room.name, capacity: room.capacity }));
    if (r === 'no_center') throw notFound('no such center');
    if (r === 'name_taken') throw new AppError(409, 'CONFLICT', `this center already has a room named "${req.name}"`);
    return this.getRoom(id);
  }

  updateRoom(by: Actor, id: string, req: UpdateRoomRequest): Room {
    const t = this.d.now();
    const r = this.d.store.updateRoom(id, req, staffAudit(by, t, 'room.updated', { roomId: id, changes: req }));
    if (r === 'not_found') throw notFound('no such room');
    if (r === 'name_taken') throw new AppError(409, 'CONFLICT', `this center already has a room named "${req.name}"`);
    return this.getRoom(id);
  }

  deleteRoom(by: Actor, id: string): void {
    const t = this.d.now();
    const room = this.d.store.getRoom(id);
    const r = this.d.store.deleteRoom(id, staffAudit(by, t, 'room.deleted', { roomId: id, centerId: room?.centerId, name: room?.name }));
    if (!r.ok) refuseDelete('room', r);
  }
}
