import type { AttendanceResponse, AttendanceRow, AttendanceState } from '@invigil/contract';
import { isFinalStatus } from '@invigil/core';
import type { Database } from '../ports/database.ts';
import { notFound } from '../ports/errors.ts';
import type { AttendanceRecord } from '../ports/room-ops-records.ts';
import type { Principal } from '../ports/types.ts';
import { inScope, scopeOf } from './scope.ts';
import { staffName } from './staff-name.ts';

const iso = (t: number) => new Date(t).toISOString();
/** Arriving this long after the sitting began is late; not there by then is a no-show. */
export const LATE_AFTER_MINUTES = 10;
/** Most registrations one attendance answer carries. */
export const MAX_ATTENDANCE = 5_000;

function state(r: AttendanceRecord): AttendanceState {
  if (r.status && isFinalStatus(r.status)) return 'finished';
  if (r.attemptId) return 'started';
  if (r.signedInAt !== null) return 'signed_in';
  return 'not_signed_in';
}

/**
 * Attendance: every registered candidate of the rooms in the caller's scope, whether they signed
 * in, started or finished, who is late or missing, and the proctor's "ID checked" mark.
 */
export class AttendanceService {
  constructor(private readonly d: { db: Database; now: () => number }) {}

  async attendance(p: Principal, q: { examId?: string; centerId?: string; roomId?: string }): Promise<AttendanceResponse> {
    const now = this.d.now();
    const found = await this.d.db.repos.roomOps.attendance({ ...q, places: scopeOf(p), limit: MAX_ATTENDANCE + 1, now });
    const rows = found.slice(0, MAX_ATTENDANCE);
    // When the sitting began: the exam's opening time, else the first start in that room.
    const began = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.examId}|${r.roomId ?? ''}`;
      const ref = r.examOpensAt ?? r.startedAt;
      if (ref !== null && (r.examOpensAt !== null || !began.has(key) || ref < began.get(key)!)) began.set(key, ref);
    }
    const lateMs = LATE_AFTER_MINUTES * 60_000;
    const candidates: AttendanceRow[] = rows.map((r) => {
      const ref = began.get(`${r.examId}|${r.roomId ?? ''}`) ?? null;
      const arrived = r.signedInAt ?? r.startedAt;
      const attendance = state(r);
      return {
        examId: r.examId,
        examTitle: r.examTitle,
        candidateId: r.candidateId,
        name: r.name,
        centerId: r.centerId,
        centerName: r.centerName,
        roomId: r.roomId,
        roomName: r.roomName,
        seat: r.seat,
        attendance,
        signedInAt: r.signedInAt === null ? null : iso(r.signedInAt),
        attemptId: r.attemptId,
        sessionStatus: r.status,
        startedAt: r.startedAt === null ? null : iso(r.startedAt),
        late: ref !== null && arrived !== null && arrived - ref > lateMs,
        noShow: ref !== null && attendance === 'not_signed_in' && now - ref > lateMs,
        idCheckedAt: r.idCheckedAt === null ? null : iso(r.idCheckedAt),
        idCheckedBy: r.idCheckedBy,
        accommodations: { plannedExtraMinutes: r.plannedExtraMinutes, restBreakMinutes: r.restBreakMinutes },
      };
    });
    const counts = { registered: candidates.length, not_signed_in: 0, signed_in: 0, started: 0, finished: 0, noShow: 0, late: 0, idChecked: 0 };
    const exams = new Map<string, { id: string; title: string; sittingStartedAt: string | null }>();
    const rooms = new Map<string, { id: string; name: string; centerId: string | null; centerName: string | null }>();
    for (const c of candidates) {
      counts[c.attendance] += 1;
      if (c.noShow) counts.noShow += 1;
      if (c.late) counts.late += 1;
      if (c.idCheckedAt) counts.idChecked += 1;
      if (!exams.has(c.examId)) {
        const starts = [...began.entries()].filter(([k]) => k.startsWith(`${c.examId}|`)).map(([, v]) => v);
        exams.set(c.examId, { id: c.examId, title: c.examTitle, sittingStartedAt: starts.length ? iso(Math.min(...starts)) : null });
      }
      if (c.roomId && !rooms.has(c.roomId)) rooms.set(c.roomId, { id: c.roomId, name: c.roomName ?? c.roomId, centerId: c.centerId, centerName: c.centerName });
    }
    return { candidates, counts, exams: [...exams.values()], rooms: [...rooms.values()], lateAfterMinutes: LATE_AFTER_MINUTES, serverTime: now, truncated: found.length > MAX_ATTENDANCE };
  }

  /** The registration if the caller may see it (seated in their scope); 404 otherwise, like an unknown one. */
  async visibleRegistration(p: Principal, examId: string, candidateId: string) {
    const reg = await this.d.db.repos.registrations.find(examId, candidateId);
    if (!reg || !inScope(scopeOf(p), reg)) throw notFound('no such registration');
    return reg;
  }

  /** Marks or clears "ID checked" (audited). Answers the candidate's attendance row. */
  async idCheck(p: Principal, examId: string, candidateId: string, checked: boolean, ip: string): Promise<AttendanceRow> {
    const reg = await this.visibleRegistration(p, examId, candidateId);
    const now = this.d.now();
    const by = await staffName(this.d.db, p);
    await this.d.db.tx(async (r) => {
      await r.roomOps.setIdCheck(examId, candidateId, checked ? { at: now, by } : null);
      await r.audit.append([{ at: now, actorType: 'staff', actorId: p.userId, action: checked ? 'attendance.id_checked' : 'attendance.id_check_cleared', detail: { examId, candidateId, roomId: reg.roomId, seat: reg.seat }, ip }]);
    });
    const list = await this.attendance(p, { examId, ...(reg.roomId ? { roomId: reg.roomId } : {}) });
    const row = list.candidates.find((c) => c.candidateId === candidateId);
    if (!row) throw notFound('no such registration');
    return row;
  }
}
