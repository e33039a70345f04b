import type { Repos } from '../ports/repositories.ts';
import type { AuditEntry } from '../ports/types.ts';

/** Ends every login session of a user (but `exceptId`) inside the caller's unit of work, audited with the count. */
export async function revokeAllOfUser(r: Repos, userId: string, exceptId: string | null, reason: string, now: number, audit: AuditEntry): Promise<number> {
  const revoked = await r.loginSessions.revokeAll(userId, exceptId, reason, now);
  await r.audit.append([{ ...audit, detail: { ...(audit.detail ?? {}), revoked } }]);
  return revoked;
}
