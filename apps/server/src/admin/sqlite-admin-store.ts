import { and, asc, count, desc, eq, isNull, ne, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Question } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import type { Db } from '../adapters/sqlite/db.ts';
import { auditEvents, candidates, centers, examSessions, exams, registrations, rooms, staffAssignments, staffUsers } from '../adapters/sqlite/schema.ts';
import type { AuditEntry, ExamPolicyOverrides } from '../ports/types.ts';
import type {
  AdminExamRecord,
  AdminStore,
  CenterRecord,
  DeleteOutcome,
  ExamStatus,
  Placement,
  RegistrationRecord,
  RoomRecord,
  RosterWrite,
  StaffAccountRecord,
} from './admin-store.ts';
import { auditRow } from '../adapters/sqlite/audit-row.ts';

const sameText = (column: AnyColumn, value: string) => sql`lower(${column}) = lower(${value})`;

type ExamRow = typeof exams.$inferSelect;

function parsePolicy(json: string): ExamPolicyOverrides {
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as ExamPolicyOverrides) : {};
  } catch {
    return {};
  }
}

/** The admin module's SQLite adapter (drizzle + better-sqlite3; every method is synchronous). */
export class SqliteAdminStore implements AdminStore {
  private readonly insertCandidate;
  private readonly upsertRegistrationPlaced;
  private readonly upsertRegistrationKeepPlace;

  constructor(private readonly db: Db) {
    // Roster import: prepared once, run for every row inside one transaction.
    this.insertCandidate = db
      .insert(candidates)
      .values({ candidateId: sql.placeholder('candidateId'), name: sql.placeholder('name'), createdAt: sql.placeholder('now') })
      .onConflictDoUpdate({ target: candidates.candidateId, set: { name: sql`excluded.name` } })
      .prepare();
    const registration = {
      id: sql.placeholder('id'),
      examId: sql.placeholder('examId'),
      candidateId: sql.placeholder('candidateId'),
      accessCodeHash: sql.placeholder('accessCodeHash'),
      centerId: sql.placeholder('centerId'),
      roomId: sql.placeholder('roomId'),
      seat: sql.placeholder('seat'),
      createdAt: sql.placeholder('now'),
    };
    this.upsertRegistrationPlaced = db
      .insert(registrations)
      .values(registration)
      .onConflictDoUpdate({
        target: [registrations.examId, registrations.candidateId],
        set: { accessCodeHash: sql`excluded.access_code_hash`, centerId: sql`excluded.center_id`, roomId: sql`excluded.room_id`, seat: sql`excluded.seat` },
      })
      .prepare();
    this.upsertRegistrationKeepPlace = db
      .insert(registrations)
      .values(registration)
      .onConflictDoUpdate({ target: [registrations.examId, registrations.candidateId], set: { accessCodeHash: sql`excluded.access_code_hash` } })
      .prepare();
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(() => fn(), { behavior: 'immediate' });
  }

  private audit(entry: AuditEntry): void {
    this.db.insert(auditEvents).values(auditRow(entry)).run();
  }

  // ---- Centers ----

  private centerQuery() {
    return this.db
      .select({
        id: centers.id,
        name: centers.name,
        address: centers.address,
        createdAt: centers.createdAt,
        // Spelled out: drizzle leaves columns unqualified here, which a subquery would misread.
        roomCount: sql<number>`(select count(*) from rooms r where r.center_id = "centers"."id")`,
      })
      .from(centers);
  }

  listCenters(): CenterRecord[] {
    return this.centerQuery().orderBy(asc(centers.name)).all();
  }

  getCenter(id: string): CenterRecord | undefined {
    return this.centerQuery().where(eq(centers.id, id)).get();
  }

  private centerNameTaken(name: string, exceptId: string | null): boolean {
    const where = exceptId === null ? sameText(centers.name, name) : and(sameText(centers.name, name), ne(centers.id, exceptId));
    return this.db.select({ id: centers.id }).from(centers).where(where).get() !== undefined;
  }

  createCenter(c: { id: string; name: string; address: string }, now: number, audit: AuditEntry): boolean {
    return this.atomically(() => {
      if (this.centerNameTaken(c.name, null)) return false;
      this.db.insert(centers).values({ ...c, createdAt: now }).run();
      this.audit(audit);
      return true;
    });
  }

  updateCenter(id: string, patch: { name?: string; address?: string }, audit: AuditEntry): 'ok' | 'not_found' | 'name_taken' {
    return this.atomically(() => {
      if (!this.db.select({ id: centers.id }).from(centers).where(eq(centers.id, id)).get()) return 'not_found';
      if (patch.name !== undefined && this.centerNameTaken(patch.name, id)) return 'name_taken';
      this.db.update(centers).set(patch).where(eq(centers.id, id)).run();
      this.audit(audit);
      return 'ok';
    });
  }

  private usage(column: 'center' | 'room', id: string) {
    const regs = this.db
      .select({ n: count() })
      .from(registrations)
      .where(eq(column === 'center' ? registrations.centerId : registrations.roomId, id))
      .get();
    const sessions = this.db
      .select({ n: count() })
      .from(examSessions)
      .where(eq(column === 'center' ? examSessions.centerId : examSessions.roomId, id))
      .get();
    return { registrations: regs?.n ?? 0, sessions: sessions?.n ?? 0 };
  }

  deleteCenter(id: string, audit: AuditEntry): DeleteOutcome {
    return this.atomically(() => {
      if (!this.db.select({ id: centers.id }).from(centers).where(eq(centers.id, id)).get()) return { ok: false as const, reason: 'not_found' as const };
      const roomCount = this.db.select({ n: count() }).from(rooms).where(eq(rooms.centerId, id)).get()?.n ?? 0;
      const used = this.usage('center', id);
      if (roomCount > 0 || used.registrations > 0 || used.sessions > 0) {
        return { ok: false as const, reason: 'in_use' as const, inUse: { rooms: roomCount, ...used } };
      }
      const removed = this.db.delete(staffAssignments).where(eq(staffAssignments.centerId, id)).run().changes;
      this.db.delete(centers).where(eq(centers.id, id)).run();
      this.audit({ ...audit, detail: { ...(audit.detail ?? {}), assignmentsRemoved: removed } });
      return { ok: true as const, assignmentsRemoved: removed };
    });
  }

  // ---- Rooms ----

  listRooms(centerId: string): RoomRecord[] {
    return this.db.select().from(rooms).where(eq(rooms.centerId, centerId)).orderBy(asc(rooms.name)).all();
  }

  allRooms(): RoomRecord[] {
    return this.db.select().from(rooms).all();
  }

  getRoom(id: string): RoomRecord | undefined {
    return this.db.select().from(rooms).where(eq(rooms.id, id)).get();
  }

  private roomNameTaken(centerId: string, name: string, exceptId: string | null): boolean {
    const base = and(eq(rooms.centerId, centerId), sameText(rooms.name, name));
    return this.db.select({ id: rooms.id }).from(rooms).where(exceptId === null ? base : and(base, ne(rooms.id, exceptId))).get() !== undefined;
  }

  createRoom(r: { id: string; centerId: string; name: string; capacity: number }, now: number, audit: AuditEntry): 'ok' | 'no_center' | 'name_taken' {
    return this.atomically(() => {
      if (!this.db.select({ id: centers.id }).from(centers).where(eq(centers.id, r.centerId)).get()) return 'no_center';
      if (this.roomNameTaken(r.centerId, r.name, null)) return 'name_taken';
      this.db.insert(rooms).values({ ...r, createdAt: now }).run();
      this.audit(audit);
      return 'ok';
    });
  }

  updateRoom(id: string, patch: { name?: string; capacity?: number }, audit: AuditEntry): 'ok' | 'not_found' | 'name_taken' {
    return this.atomically(() => {
      const room = this.getRoom(id);
      if (!room) return 'not_found';
      if (patch.name !== undefined && this.roomNameTaken(room.centerId, patch.name, id)) return 'name_taken';
      this.db.update(rooms).set(patch).where(eq(rooms.id, id)).run();
      this.audit(audit);
      return 'ok';
    });
  }

  deleteRoom(id: string, audit: AuditEntry): DeleteOutcome {
    return this.atomically(() => {
      if (!this.getRoom(id)) return { ok: false as const, reason: 'not_found' as const };
      const used = this.usage('room', id);
      if (used.registrations > 0 || used.sessions > 0) return { ok: false as const, reason: 'in_use' as const, inUse: used };
      const removed = this.db.delete(staffAssignments).where(eq(staffAssignments.roomId, id)).run().changes;
      this.db.delete(rooms).where(eq(rooms.id, id)).run();
      this.audit({ ...audit, detail: { ...(audit.detail ?? {}), assignmentsRemoved: removed } });
      return { ok: true as const, assignmentsRemoved: removed };
    });
  }

  // ---- Staff ----

  private staffRows(where?: SQL): StaffAccountRecord[] {
    const users = this.db
      .select({
        id: staffUsers.id,
        username: staffUsers.username,
        displayName: staffUsers.displayName,
        role: staffUsers.role,
        disabledAt: staffUsers.disabledAt,
        createdAt: staffUsers.createdAt,
        passwordChangedAt: staffUsers.passwordChangedAt,
      })
      .from(staffUsers)
      .where(where)
      .orderBy(asc(staffUsers.username))
      .all();
    if (users.length === 0) return [];
    const all = this.db
      .select({ staffId: staffAssignments.staffId, centerId: staffAssignments.centerId, roomId: staffAssignments.roomId })
      .from(staffAssignments)
      .where(users.length === 1 ? eq(staffAssignments.staffId, users[0]!.id) : undefined)
      .orderBy(asc(staffAssignments.createdAt), asc(staffAssignments.id))
      .all();
    const byStaff = new Map<string, { centerId: string; roomId: string | null }[]>();
    for (const a of all) {
      const list = byStaff.get(a.staffId) ?? [];
      list.push({ centerId: a.centerId, roomId: a.roomId });
      byStaff.set(a.staffId, list);
    }
    return users.map((u) => ({ ...u, assignments: byStaff.get(u.id) ?? [] }));
  }

  listStaff(): StaffAccountRecord[] {
    return this.staffRows();
  }

  getStaff(id: string): StaffAccountRecord | undefined {
    return this.staffRows(eq(staffUsers.id, id))[0];
  }

  createStaff(u: { id: string; username: string; displayName: string; role: 'admin' | 'proctor'; passwordHash: string }, now: number, audit: AuditEntry): boolean {
    return this.atomically(() => {
      if (this.db.select({ id: staffUsers.id }).from(staffUsers).where(sameText(staffUsers.username, u.username)).get()) return false;
      this.db
        .insert(staffUsers)
        .values({ ...u, createdAt: now, passwordChangedAt: now })
        .run();
      this.audit(audit);
      return true;
    });
  }

  updateStaff(id: string, patch: { role?: 'admin' | 'proctor'; displayName?: string; disabledAt?: number | null }, audit: AuditEntry): boolean {
    return this.atomically(() => {
      const r = this.db.update(staffUsers).set(patch).where(eq(staffUsers.id, id)).run();
      if (r.changes === 0) return false;
      this.audit(audit);
      return true;
    });
  }

  setStaffPassword(id: string, passwordHash: string, now: number, audit: AuditEntry): boolean {
    return this.atomically(() => {
      const r = this.db.update(staffUsers).set({ passwordHash, passwordChangedAt: now }).where(eq(staffUsers.id, id)).run();
      if (r.changes === 0) return false;
      this.audit(audit);
      return true;
    });
  }

  countOtherActiveAdmins(exceptId: string): number {
    return (
      this.db
        .select({ n: count() })
        .from(staffUsers)
        .where(and(eq(staffUsers.role, 'admin'), isNull(staffUsers.disabledAt), ne(staffUsers.id, exceptId)))
        .get()?.n ?? 0
    );
  }

  replaceAssignments(staffId: string, assignments: { centerId: string; roomId: string | null }[], now: number, audit: AuditEntry): void {
    this.atomically(() => {
      this.db.delete(staffAssignments).where(eq(staffAssignments.staffId, staffId)).run();
      if (assignments.length) {
        this.db
          .insert(staffAssignments)
          .values(assignments.map((a, i) => ({ id: randomUUID(), staffId, centerId: a.centerId, roomId: a.roomId, createdAt: now + i })))
          .run();
      }
      this.audit(audit);
    });
  }

  // ---- Exams ----

  private examQuery() {
    return this.db
      .select({
        e: exams,
        // Spelled out: drizzle leaves columns unqualified here, which a subquery would misread.
        registrationCount: sql<number>`(select count(*) from registrations r where r.exam_id = "exams"."id")`,
        sessionCount: sql<number>`(select count(*) from exam_sessions s where s.exam_id = "exams"."id")`,
      })
      .from(exams);
  }

  private toExam(r: { e: ExamRow; registrationCount: number; sessionCount: number }): AdminExamRecord {
    const e = r.e;
    return {
      id: e.id,
      title: e.title,
      durationMinutes: e.durationMinutes,
      questions: JSON.parse(e.questions) as Question[],
      status: e.status,
      opensAt: e.opensAt,
      closesAt: e.closesAt,
      policy: parsePolicy(e.policy),
      registrationCount: r.registrationCount,
      sessionCount: r.sessionCount,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    };
  }

  listExams(filter: { status?: ExamStatus; limit: number; offset: number }): { total: number; exams: AdminExamRecord[] } {
    const where = filter.status ? eq(exams.status, filter.status) : undefined;
    const total = this.db.select({ n: count() }).from(exams).where(where).get()?.n ?? 0;
    const rows = this.examQuery().where(where).orderBy(desc(exams.createdAt), asc(exams.id)).limit(filter.limit).offset(filter.offset).all();
    return { total, exams: rows.map((r) => this.toExam(r)) };
  }

  getExam(id: string): AdminExamRecord | undefined {
    const r = this.examQuery().where(eq(exams.id, id)).get();
    return r && this.toExam(r);
  }

  updateExam(
    id: string,
    patch: { title?: string; durationMinutes?: number; questions?: Question[]; status?: ExamStatus; opensAt?: number | null; closesAt?: number | null; policy?: ExamPolicyOverrides },
    now: number,
    audit: AuditEntry,
  ): 'ok' | 'not_found' | 'has_sessions' {
    return this.atomically(() => {
      if (!this.db.select({ id: exams.id }).from(exams).where(eq(exams.id, id)).get()) return 'not_found';
      if (patch.questions !== undefined) {
        const sessions = this.db.select({ n: count() }).from(examSessions).where(eq(examSessions.examId, id)).get()?.n ?? 0;
        if (sessions > 0) return 'has_sessions';
      }
      const { questions, policy, ...plain } = patch;
      this.db
        .update(exams)
        .set({
          ...plain,
          ...(questions !== undefined ? { questions: JSON.stringify(questions) } : {}),
          ...(policy !== undefined ? { policy: JSON.stringify(policy) } : {}),
          updatedAt: now,
        })
        .where(eq(exams.id, id))
        .run();
      this.audit(audit);
      return 'ok';
    });
  }

  // ---- Registrations ----

  examPlacements(examId: string): Map<string, Placement> {
    const rows = this.db
      .select({ candidateId: registrations.candidateId, centerId: registrations.centerId, roomId: registrations.roomId, seat: registrations.seat })
      .from(registrations)
      .where(eq(registrations.examId, examId))
      .all();
    return new Map(rows.map((r) => [r.candidateId, { centerId: r.centerId, roomId: r.roomId, seat: r.seat }]));
  }

  importRoster(examId: string, rows: RosterWrite[], now: number, audit: (created: number) => AuditEntry): { created: number; updated: number } {
    return this.atomically(() => {
      const before = this.db.select({ n: count() }).from(registrations).where(eq(registrations.examId, examId)).get()?.n ?? 0;
      for (const row of rows) {
        this.insertCandidate.run({ candidateId: row.candidateId, name: row.name, now });
        const params = {
          id: randomUUID(),
          examId,
          candidateId: row.candidateId,
          accessCodeHash: row.accessCodeHash,
          centerId: row.placement?.centerId ?? null,
          roomId: row.placement?.roomId ?? null,
          seat: row.placement?.seat ?? null,
          now,
        };
        if (row.placement) this.upsertRegistrationPlaced.run(params);
        else this.upsertRegistrationKeepPlace.run(params);
      }
      const after = this.db.select({ n: count() }).from(registrations).where(eq(registrations.examId, examId)).get()?.n ?? 0;
      const created = after - before;
      this.audit(audit(created));
      return { created, updated: rows.length - created };
    });
  }

  private registrationQuery() {
    return this.db
      .select({
        candidateId: registrations.candidateId,
        name: candidates.name,
        centerId: registrations.centerId,
        centerName: centers.name,
        roomId: registrations.roomId,
        roomName: rooms.name,
        seat: registrations.seat,
        createdAt: registrations.createdAt,
      })
      .from(registrations)
      .innerJoin(candidates, eq(candidates.candidateId, registrations.candidateId))
      .leftJoin(centers, eq(centers.id, registrations.centerId))
      .leftJoin(rooms, eq(rooms.id, registrations.roomId));
  }

  listRegistrations(examId: string, filter: { centerId?: string; roomId?: string; limit: number; offset: number }): { total: number; registrations: RegistrationRecord[] } {
    const conds = [eq(registrations.examId, examId)];
    if (filter.centerId) conds.push(eq(registrations.centerId, filter.centerId));
    if (filter.roomId) conds.push(eq(registrations.roomId, filter.roomId));
    const where = and(...conds);
    const total = this.db.select({ n: count() }).from(registrations).where(where).get()?.n ?? 0;
    const list = this.registrationQuery().where(where).orderBy(asc(registrations.candidateId)).limit(filter.limit).offset(filter.offset).all();
    return { total, registrations: list };
  }

  getRegistration(examId: string, candidateId: string): RegistrationRecord | undefined {
    return this.registrationQuery()
      .where(and(eq(registrations.examId, examId), eq(registrations.candidateId, candidateId)))
      .get();
  }

  seatTakenBy(examId: string, candidateId: string, p: Placement): string | undefined {
    if (p.seat === null) return undefined;
    return this.db
      .select({ candidateId: registrations.candidateId })
      .from(registrations)
      .where(
        and(
          eq(registrations.examId, examId),
          ne(registrations.candidateId, candidateId),
          eq(registrations.seat, p.seat),
          p.centerId === null ? isNull(registrations.centerId) : eq(registrations.centerId, p.centerId),
          p.roomId === null ? isNull(registrations.roomId) : eq(registrations.roomId, p.roomId),
        ),
      )
      .get()?.candidateId;
  }

  placeRegistration(examId: string, candidateId: string, p: Placement, audit: AuditEntry): boolean {
    return this.atomically(() => {
      const r = this.db
        .update(registrations)
        .set({ centerId: p.centerId, roomId: p.roomId, seat: p.seat })
        .where(and(eq(registrations.examId, examId), eq(registrations.candidateId, candidateId)))
        .run();
      if (r.changes === 0) return false;
      this.audit(audit);
      return true;
    });
  }
}
