import type { Waiver } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import type { Database } from '../ports/database.ts';
import type { WaiverRecord } from '../ports/room-ops-records.ts';
import type { CandidateRef, Principal } from '../ports/types.ts';
import type { AttendanceService } from './attendance-service.ts';
import { staffName } from './staff-name.ts';

const iso = (t: number) => new Date(t).toISOString();
export const waiverView = (w: WaiverRecord): Waiver => ({ ...w, at: iso(w.at) });

/**
 * Failed pre-exam checks have a staff path: a proctor lets a candidate start despite them (a VM
 * false positive, a second display the desk cannot lose), with a reason. Audited, kept as
 * append-only rows, named in the attempt's audit at its start (so the review shows it), and told
 * to the kiosk (`GET /exams/sessions/check-waiver`), whose checks screen then lets the candidate start.
 */
export class WaiverService {
  constructor(private readonly d: { db: Database; now: () => number; attendance: AttendanceService }) {}

  async grant(p: Principal, examId: string, candidateId: string, body: { reason: string; checks: string[] }, ip: string): Promise<Waiver> {
    const reg = await this.d.attendance.visibleRegistration(p, examId, candidateId);
    const now = this.d.now();
    const w: WaiverRecord = { id: randomUUID(), examId, candidateId, at: now, grantedBy: p.userId, grantedByName: await staffName(this.d.db, p), reason: body.reason, checks: [...new Set(body.checks)] };
    await this.d.db.tx(async (r) => {
      await r.roomOps.addWaiver(w);
      await r.audit.append([{ at: now, actorType: 'staff', actorId: p.userId, action: 'checks.waived', reason: body.reason, detail: { waiverId: w.id, examId, candidateId, checks: w.checks, roomId: reg.roomId, seat: reg.seat }, ip }]);
    });
    return waiverView(w);
  }

  async list(p: Principal, examId: string, candidateId: string): Promise<{ waivers: Waiver[] }> {
    await this.d.attendance.visibleRegistration(p, examId, candidateId);
    return { waivers: (await this.d.db.repos.roomOps.waivers(examId, candidateId)).map(waiverView) };
  }

  /** The candidate's own view, for the kiosk: every check any waiver of theirs for this exam covers. */
  async mine(who: CandidateRef): Promise<{ waived: boolean; checks: string[]; reason: string | null; grantedAt: string | null }> {
    if (!who.examId) return { waived: false, checks: [], reason: null, grantedAt: null };
    const all = await this.d.db.repos.roomOps.waivers(who.examId, who.candidateId);
    const last = all[all.length - 1];
    return { waived: all.length > 0, checks: [...new Set(all.flatMap((w) => w.checks))], reason: last?.reason ?? null, grantedAt: last ? iso(last.at) : null };
  }
}
