import { UniqueViolation, type UniqueConstraint } from '../../ports/errors.ts';

/**
 * SQLite names a refused unique index by its columns ("UNIQUE constraint failed: t.a, t.b") or,
 * for an expression index, by its name ("index 'x'"); this maps either to the port's constraint
 * names. Anything that is not a unique violation is returned unchanged.
 */
const BY_TARGET: Record<string, UniqueConstraint> = {
  'exam_sessions.candidate_id': 'one_active_session_per_candidate',
  "index 'exam_sessions_one_active_per_candidate'": 'one_active_session_per_candidate',
  'exam_sessions.candidate_id, exam_sessions.exam_id': 'one_attempt_per_exam',
  'staff_users.username': 'staff_username',
  "index 'staff_users_username_lower'": 'staff_username',
  'centers.name': 'center_name',
  "index 'centers_name_lower'": 'center_name',
  'rooms.center_id, rooms.name': 'room_name',
  "index 'rooms_center_name_lower'": 'room_name',
  "index 'registrations_one_per_seat'": 'seat',
};

export function mapUnique(e: unknown): unknown {
  if (typeof e !== 'object' || e === null || (e as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE') return e;
  const m = /UNIQUE constraint failed: (.+)$/.exec(String((e as { message?: unknown }).message ?? ''));
  return new UniqueViolation((m && BY_TARGET[m[1]!.trim()]) ?? 'other');
}

/** Runs `fn`, turning a unique violation into the port's UniqueViolation. */
export function mappingUnique<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw mapUnique(e);
  }
}
