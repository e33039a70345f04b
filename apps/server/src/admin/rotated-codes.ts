import type { Repos } from '../ports/repositories.ts';
import type { AuditEntry } from '../ports/types.ts';

/**
 * Inside the unit of work that writes new access codes, before it writes them: every login opened
 * with a code that is being replaced is revoked (a leaked code is cut off by rotating it). Answers
 * how many logins ended; audits it when any code changed.
 */
export async function revokeLoginsOfRotatedCodes(r: Repos, examId: string, rows: { candidateId: string; accessCodeHash: string }[], now: number, audit: Omit<AuditEntry, 'action' | 'detail'>): Promise<number> {
  const current = await r.registrations.credentials(examId, rows.map((x) => x.candidateId));
  const rotated: string[] = [];
  let revoked = 0;
  for (const row of rows) {
    const cur = current.get(row.candidateId);
    if (!cur || cur.accessCodeHash === row.accessCodeHash) continue;
    rotated.push(row.candidateId);
    revoked += await r.loginSessions.revokeAll(cur.id, null, 'access_code_rotated', now);
  }
  if (rotated.length) {
    await r.audit.append([{ ...audit, action: 'exam.access_codes_rotated', detail: { examId, candidates: rotated.length, candidateIds: rotated.slice(0, 100), loginsRevoked: revoked } }]);
  }
  return revoked;
}
