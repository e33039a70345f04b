import { forbidden } from '../ports/errors.ts';
import type { Assignment, Principal } from '../ports/types.ts';

export type { Assignment };

/** What a staff member may see: everything (admin) or their assignments (proctor). */
export type StaffScope = { all: true } | { all: false; assignments: Assignment[] };

export function scopeOf(p: Principal): StaffScope {
  if (p.role === 'admin') return { all: true };
  if (p.role === 'proctor') return { all: false, assignments: p.assignments ?? [] };
  throw forbidden('this route is for staff');
}

/** Whether a thing placed in (centerId, roomId) is within the scope. Unplaced things are admin-only. */
export function inScope(scope: StaffScope, place: { centerId: string | null; roomId: string | null }): boolean {
  if (scope.all) return true;
  if (!place.centerId) return false;
  return scope.assignments.some((a) => a.centerId === place.centerId && (a.roomId === null || a.roomId === place.roomId));
}
