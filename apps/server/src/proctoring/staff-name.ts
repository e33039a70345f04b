import type { Database } from '../ports/database.ts';
import type { Principal } from '../ports/types.ts';

/** How a staff member is named on notes, waivers and ID checks: their display name, else their username. */
export async function staffName(db: Database, p: Principal): Promise<string> {
  const s = await db.repos.staff.getAccount(p.userId);
  return s?.displayName || s?.username || p.username || p.userId;
}
