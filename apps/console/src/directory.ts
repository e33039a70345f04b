import type { AdminExamSummary, Center, Room, StaffAccount } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, auth } from './api.ts';

/** Names for the ids the API hands out (centers, rooms, staff). Admins can read them; proctors see short ids. */
export interface Directory {
  center(id: string | null): string | null;
  room(id: string | null): string | null;
  staff(id: string | null): string | null;
  exam(id: string | null): string | null;
  /** A centre's time zone and locale (for dates shown of things in it); {} when unknown. */
  place(centerId: string | null): { timeZone?: string; locale?: string };
  /** Everything known (admins): for filter drop-downs. */
  centers: [string, string][];
  exams: [string, string][];
}

let cache: Promise<{ centers: Map<string, string>; rooms: Map<string, string>; staff: Map<string, string>; exams: Map<string, string>; places: Map<string, { timeZone: string; locale: string }> }> | null = null;

function load() {
  cache ??= (async () => {
    const centers = new Map<string, string>();
    const rooms = new Map<string, string>();
    const staff = new Map<string, string>();
    const exams = new Map<string, string>();
    const places = new Map<string, { timeZone: string; locale: string }>();
    if (auth.get()?.user.role !== 'admin') return { centers, rooms, staff, exams, places };
    try {
      const [c, s, e] = await Promise.all([
        api.get<{ centers: Center[] }>('/admin/centers'),
        api.get<{ staff: StaffAccount[] }>('/admin/staff'),
        api.get<{ exams: AdminExamSummary[] }>('/admin/exams', { limit: 1000 }),
      ]);
      for (const x of e.exams) exams.set(x.id, x.title);
      for (const x of c.centers) {
        centers.set(x.id, x.name);
        places.set(x.id, { timeZone: x.timeZone, locale: x.locale });
      }
      for (const x of s.staff) staff.set(x.id, x.displayName || x.username);
      const lists = await Promise.all(c.centers.map((x) => api.get<{ rooms: Room[] }>(`/admin/centers/${encodeURIComponent(x.id)}/rooms`)));
      for (const l of lists) for (const r of l.rooms) rooms.set(r.id, r.name);
    } catch {
      cache = null; // try again next time
    }
    return { centers, rooms, staff, exams, places };
  })();
  return cache;
}

/** Forget cached names (after an admin renamed or added something). */
export function invalidateDirectory(): void {
  cache = null;
}

const short = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

export function useDirectory(): Directory {
  const [d, setD] = useState<Awaited<ReturnType<typeof load>> | null>(null);
  useEffect(() => {
    let live = true;
    void load().then((x) => live && setD(x));
    return () => {
      live = false;
    };
  }, []);
  return {
    center: (id) => (id ? (d?.centers.get(id) ?? short(id)) : null),
    room: (id) => (id ? (d?.rooms.get(id) ?? short(id)) : null),
    staff: (id) => (id ? (d?.staff.get(id) ?? short(id)) : null),
    exam: (id) => (id ? (d?.exams.get(id) ?? short(id)) : null),
    place: (id) => (id ? (d?.places.get(id) ?? {}) : {}),
    centers: [...(d?.centers ?? [])],
    exams: [...(d?.exams ?? [])],
  };
}
