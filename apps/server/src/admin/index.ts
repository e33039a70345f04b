import type { FeatureModule, ModuleDeps } from '../modules.ts';
import { ExamAdminService } from './exam-admin-service.ts';
import { PlacesService } from './places-service.ts';
import { RosterService } from './roster-service.ts';
import { adminRoutes } from './routes.ts';
import { SqliteAdminStore } from './sqlite-admin-store.ts';
import { StaffService } from './staff-service.ts';

/** Admin API: centers, rooms, staff, exams (edit, window, policy), roster import, seats. */
export function adminModule(deps: ModuleDeps): FeatureModule {
  const store = new SqliteAdminStore(deps.db);
  const { auth, exams } = deps.services;
  const services = {
    places: new PlacesService({ store, now: deps.now }),
    staff: new StaffService({
      store,
      now: deps.now,
      revokeSessions: (userId, reason, by) => auth.revokeAllSessionsOfUser(userId, reason, by.principal, by.ip),
    }),
    exams: new ExamAdminService({ store, now: deps.now, invalidate: (id) => exams.invalidate(id) }),
    roster: new RosterService({
      store,
      now: deps.now,
      accessCodeHash: (code) => auth.accessCodeHash(code),
      examExists: (id) => exams.get(id) !== undefined,
    }),
  };
  // A proctor's transfer may only move a session to a room of its own center.
  deps.services.proctor.roomCenter = (roomId) => store.getRoom(roomId)?.centerId;
  return { name: 'admin', routes: (r) => adminRoutes(r, services) };
}
