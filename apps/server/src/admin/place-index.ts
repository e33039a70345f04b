import type { CenterRecord, RoomRecord } from '../ports/admin-records.ts';

export type Resolved = { ok: true; centerId: string | null; roomId: string | null } | { ok: false; field: 'center' | 'room'; message: string };

function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/**
 * Finds centers and rooms by id or by name (exact first, then ignoring case), from one snapshot,
 * so a 10,000-row roster costs two queries, not 20,000.
 */
export class PlaceIndex {
  private readonly centerById: Map<string, CenterRecord>;
  private readonly centersByName: Map<string, CenterRecord[]>;
  private readonly centersByLowerName: Map<string, CenterRecord[]>;
  private readonly roomById: Map<string, RoomRecord>;
  private readonly roomsByName: Map<string, RoomRecord[]>;
  private readonly roomsByLowerName: Map<string, RoomRecord[]>;

  constructor(centers: CenterRecord[], rooms: RoomRecord[]) {
    this.centerById = new Map(centers.map((c) => [c.id, c]));
    this.centersByName = group(centers, (c) => c.name);
    this.centersByLowerName = group(centers, (c) => c.name.toLowerCase());
    this.roomById = new Map(rooms.map((r) => [r.id, r]));
    this.roomsByName = group(rooms, (r) => r.name);
    this.roomsByLowerName = group(rooms, (r) => r.name.toLowerCase());
  }

  private findCenter(ref: string): CenterRecord | 'none' | 'ambiguous' {
    const byId = this.centerById.get(ref);
    if (byId) return byId;
    const exact = this.centersByName.get(ref) ?? [];
    if (exact.length === 1) return exact[0]!;
    const loose = this.centersByLowerName.get(ref.toLowerCase()) ?? [];
    if (loose.length === 1) return loose[0]!;
    return loose.length > 1 ? 'ambiguous' : 'none';
  }

  /** Rooms named `ref` (exact first, then ignoring case), optionally within one center. */
  private roomsNamed(ref: string, centerId: string | null): RoomRecord[] {
    const inCenter = (list: RoomRecord[] | undefined) => (list ?? []).filter((r) => centerId === null || r.centerId === centerId);
    const exact = inCenter(this.roomsByName.get(ref));
    return exact.length ? exact : inCenter(this.roomsByLowerName.get(ref.toLowerCase()));
  }

  /** A center and room given by id or name (empty = none); a room alone implies its center. */
  resolve(centerRef: string | null, roomRef: string | null): Resolved {
    let centerId: string | null = null;
    if (centerRef) {
      const c = this.findCenter(centerRef);
      if (c === 'none') return { ok: false, field: 'center', message: `no center with id or name "${centerRef}"` };
      if (c === 'ambiguous') return { ok: false, field: 'center', message: `several centers are named "${centerRef}"; give its id` };
      centerId = c.id;
    }
    if (!roomRef) return { ok: true, centerId, roomId: null };
    const byId = this.roomById.get(roomRef);
    if (byId) {
      if (centerId !== null && byId.centerId !== centerId) return { ok: false, field: 'room', message: `room ${roomRef} is not in center "${centerRef}"` };
      return { ok: true, centerId: byId.centerId, roomId: byId.id };
    }
    const named = this.roomsNamed(roomRef, centerId);
    if (named.length === 1) return { ok: true, centerId: named[0]!.centerId, roomId: named[0]!.id };
    if (named.length > 1) {
      return { ok: false, field: 'room', message: centerId === null ? `several centers have a room named "${roomRef}"; give the center too` : `several rooms of this center are named "${roomRef}"; give its id` };
    }
    return { ok: false, field: 'room', message: centerId === null ? `no room with id or name "${roomRef}"` : `no room with id or name "${roomRef}" in center "${centerRef}"` };
  }
}
