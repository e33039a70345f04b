import { RosterRow, type AccommodationsRequest, type AdminRegistration, type IssuedCode, type ReissuedCode, type PlaceRegistrationRequest, type RosterError, type RosterReport } from '@invigil/contract';
import type { z } from 'zod';
import type { Placement, RegistrationRecord, RosterWrite } from '../ports/admin-records.ts';
import type { Database } from '../ports/database.ts';
import { conflict, invalid, notFound } from '../ports/errors.ts';
import { staffAudit, type Actor } from './audit.ts';
import { PlaceIndex } from './place-index.ts';
import { parseRosterCsv, parseRosterJson, type RawRosterRow } from './roster-parse.ts';
import { revokeLoginsOfRotatedCodes } from './rotated-codes.ts';
import { newAccessCode, normalizeCode } from '../security/short-code.ts';

const MAX_LISTED_ERRORS = 1_000;
const PLACEMENT_FIELDS = ['center', 'room', 'seat'] as const;

export const registrationView = (r: RegistrationRecord): AdminRegistration => ({ ...r, createdAt: new Date(r.createdAt).toISOString() });

export interface RosterServiceDeps {
  db: Database;
  now: () => number;
  accessCodeHash: (code: string) => string;
}

/** Where a seat is: the same seat label in another room is another seat. */
const seatKey = (p: Placement) => (p.seat === null ? null : `${p.centerId ?? ''}\u0000${p.roomId ?? ''}\u0000${p.seat}`);

function issuesToErrors(r: RawRosterRow, candidateId: string | undefined, error: z.ZodError): RosterError[] {
  return error.issues.map((i) => {
    const base = { line: r.line, ...(candidateId ? { candidateId } : {}) };
    if (i.code === 'unrecognized_keys') return { ...base, field: i.keys.join(','), message: 'unknown field' };
    const field = String(i.path[0] ?? 'row');
    const missing = i.code === 'invalid_type' && r.fields[field] === undefined;
    return { ...base, field, message: missing ? 'missing' : i.message };
  });
}

const hasAccommodations = (row: RosterRow) => row.extraTimeMinutes !== undefined || row.restBreakMinutes !== undefined;
const changesAccommodations = (before: RegistrationRecord, row: RosterRow) =>
  (row.extraTimeMinutes !== undefined && (row.extraTimeMinutes ?? 0) !== before.extraTimeMinutes) || (row.restBreakMinutes !== undefined && (row.restBreakMinutes ?? 0) !== before.restBreakMinutes);

/** A row that passed every check, on its way to the database. */
interface GoodRow {
  line: number;
  row: RosterRow;
  placement?: Placement;
}

/** A row of the right shape; where it sits is resolved against the places inside the transaction. */
interface ShapedRow {
  line: number;
  row: RosterRow;
  placed: boolean;
  at: { line: number; candidateId?: string };
}

/** Roster import (CSV or JSON, per-row report, all-or-nothing or best effort) and seating. */
export class RosterService {
  constructor(private readonly d: RosterServiceDeps) {}

  async assertExam(examId: string): Promise<void> {
    if (!(await this.d.db.repos.exams.get(examId))) throw notFound('no such exam');
  }

  /**
   * Checks every row and writes the good ones, unless `atomic` and any row is bad. The seat check
   * and the write run in one transaction, so two imports at once cannot put two candidates in a seat.
   */
  async import(by: Actor, examId: string, text: string, format: 'csv' | 'json', atomic: boolean): Promise<{ status: 200 | 422; report: RosterReport }> {
    await this.assertExam(examId);
    if (text.trim() === '') throw invalid('BAD_REQUEST', 'the roster is empty');
    const raw = format === 'csv' ? parseRosterCsv(text) : parseRosterJson(text);
    if (raw.length === 0) throw invalid('BAD_REQUEST', 'the roster has no rows');

    const errors: RosterError[] = [];
    const failedLines = new Set<number>();
    const fail = (list: RosterError[]) => {
      for (const e of list) {
        errors.push(e);
        failedLines.add(e.line);
      }
    };
    // The shape of every row needs no database: checked before the transaction.
    const firstLineOf = new Map<string, number>();
    const shaped: ShapedRow[] = [];
    for (const r of raw) {
      const ok = this.checkShape(r, firstLineOf, fail);
      if (ok) shaped.push(ok);
    }
    // Hashed outside the transaction too (the server's keyed hash, once per row).
    const hashes = new Map(shaped.filter((g) => g.row.accessCode).map((g) => [g.row.candidateId, this.d.accessCodeHash(g.row.accessCode!)]));

    return this.d.db.tx(async (r) => {
      const places = new PlaceIndex(await r.places.listCenters(), await r.places.allRooms());
      const checked: GoodRow[] = [];
      for (const g of shaped) {
        const ok = this.resolvePlace(g, places, fail);
        if (ok) checked.push(ok);
      }
      const seatErrors = this.checkSeats(await r.roster.placements(examId), checked);
      fail([...seatErrors.values()]);
      // Planned extra time is fixed when the candidate starts: a row that would change it afterwards is refused.
      const startedErrors = new Map<string, RosterError>();
      for (const g of checked) {
        if (seatErrors.has(g.row.candidateId) || !hasAccommodations(g.row)) continue;
        const before = await r.registrations.get(examId, g.row.candidateId);
        if (!before || !changesAccommodations(before, g.row)) continue;
        if ((await r.examSessions.listForCandidate(g.row.candidateId)).some((x) => x.examId === examId)) {
          startedErrors.set(g.row.candidateId, { line: g.line, candidateId: g.row.candidateId, field: g.row.extraTimeMinutes !== undefined ? 'extraTimeMinutes' : 'restBreakMinutes', message: 'this candidate has already started: their planned time can no longer change (a proctor can extend the time)' });
        }
      }
      fail([...startedErrors.values()]);
      const good = checked.filter((g) => !seatErrors.has(g.row.candidateId) && !startedErrors.has(g.row.candidateId));

      errors.sort((a, b) => a.line - b.line);
      const failed = failedLines.size;
      const base = {
        total: raw.length,
        failed,
        atomic,
        errors: errors.slice(0, MAX_LISTED_ERRORS),
        ...(errors.length > MAX_LISTED_ERRORS ? { errorsTruncated: true } : {}),
      };
      if ((atomic && failed > 0) || good.length === 0) {
        return { status: 422 as const, report: { imported: 0, created: 0, updated: 0, ...base } };
      }
      // Rows without a code: an existing registration keeps its code, a new one gets a generated code.
      const codeless = good.filter((g) => !hashes.has(g.row.candidateId));
      const current = codeless.length ? await r.registrations.credentials(examId, codeless.map((g) => g.row.candidateId)) : new Map<string, { accessCodeHash: string }>();
      const issuedCodes: IssuedCode[] = [];
      let keptCodes = 0;
      if (codeless.length) {
        const centerName = new Map((await r.places.listCenters()).map((c) => [c.id, c.name]));
        const roomName = new Map((await r.places.allRooms()).map((x) => [x.id, x.name]));
        for (const g of codeless) {
          const cur = current.get(g.row.candidateId);
          if (cur) {
            hashes.set(g.row.candidateId, cur.accessCodeHash);
            keptCodes++;
            continue;
          }
          const accessCode = newAccessCode();
          hashes.set(g.row.candidateId, this.d.accessCodeHash(normalizeCode(accessCode)));
          const p = g.placement;
          issuedCodes.push({ candidateId: g.row.candidateId, name: g.row.name, accessCode, centerName: p?.centerId ? (centerName.get(p.centerId) ?? null) : null, roomName: p?.roomId ? (roomName.get(p.roomId) ?? null) : null, seat: p?.seat ?? null });
        }
      }
      const rows: RosterWrite[] = good.map((g) => ({
        candidateId: g.row.candidateId,
        name: g.row.name,
        accessCodeHash: hashes.get(g.row.candidateId)!,
        ...(g.placement ? { placement: g.placement } : {}),
      }));
      const t = this.d.now();
      await revokeLoginsOfRotatedCodes(r, examId, rows, t, { at: t, actorType: 'staff', actorId: by.principal.userId, ip: by.ip });
      const { created, updated } = await r.roster.import(examId, rows, t);
      const accommodations = good.filter((g) => hasAccommodations(g.row)).map((g) => ({
        candidateId: g.row.candidateId,
        ...(g.row.extraTimeMinutes !== undefined ? { extraTimeMinutes: g.row.extraTimeMinutes ?? 0 } : {}),
        ...(g.row.restBreakMinutes !== undefined ? { restBreakMinutes: g.row.restBreakMinutes ?? 0 } : {}),
      }));
      if (accommodations.length) await r.registrations.setAccommodations(examId, accommodations);
      const generated = { ...(codeless.length ? { codesIssued: issuedCodes.length, codesKept: keptCodes } : {}), ...(accommodations.length ? { accommodations: accommodations.length } : {}) };
      await r.audit.append([staffAudit(by, t, 'exam.roster_imported', { examId, format, atomic, total: raw.length, imported: rows.length, failed, created, updated, ...generated })]);
      const exam = codeless.length ? await r.exams.get(examId) : undefined;
      const codes = codeless.length ? { issuedCodes, keptCodes, examCode: exam?.code ?? '' } : {};
      return { status: 200 as const, report: { imported: rows.length, created, updated, ...codes, ...base } };
    });
  }

  /**
   * No two candidates of the exam in one seat, counting those already registered. A row refused
   * here leaves its candidate where they were, which may clash with a row accepted before it, so
   * the check repeats until nothing more fails (refusals only grow: a few rounds at most).
   */
  private checkSeats(existing: Map<string, Placement>, checked: GoodRow[]): Map<string, RosterError> {
    const refused = new Map<string, RosterError>();
    for (;;) {
      const moving = new Set(checked.filter((g) => g.placement && !refused.has(g.row.candidateId)).map((g) => g.row.candidateId));
      const seatedBy = new Map<string, { candidateId: string; line?: number }>();
      for (const [candidateId, p] of existing) {
        const key = seatKey(p);
        if (key !== null && !moving.has(candidateId)) seatedBy.set(key, { candidateId });
      }
      let more = false;
      for (const g of checked) {
        if (refused.has(g.row.candidateId)) continue;
        const key = g.placement ? seatKey(g.placement) : null;
        if (key === null) continue;
        const holder = seatedBy.get(key);
        if (holder && holder.candidateId !== g.row.candidateId) {
          const where = holder.line ? `line ${holder.line}` : `candidate ${holder.candidateId}, already registered`;
          refused.set(g.row.candidateId, { line: g.line, candidateId: g.row.candidateId, field: 'seat', message: `seat "${g.placement!.seat}" is already taken (${where})` });
          more = true;
          continue;
        }
        seatedBy.set(key, { candidateId: g.row.candidateId, line: g.line });
      }
      if (!more) return refused;
    }
  }

  private checkShape(r: RawRosterRow, firstLineOf: Map<string, number>, fail: (e: RosterError[]) => void): ShapedRow | undefined {
    const idField = r.fields.candidateId;
    const rawId = typeof idField === 'string' && idField.trim() !== '' ? idField.trim() : undefined;
    const at = { line: r.line, ...(rawId ? { candidateId: rawId } : {}) };
    const rowErrors: RosterError[] = [];
    if (r.shapeError) rowErrors.push({ ...at, field: 'row', message: r.shapeError });

    // A candidate listed twice: the later line is the error, whatever else is wrong with either.
    if (rawId !== undefined) {
      const first = firstLineOf.get(rawId);
      if (first !== undefined) rowErrors.push({ ...at, field: 'candidateId', message: `candidate ${rawId} already appears on line ${first}` });
      else firstLineOf.set(rawId, r.line);
    }

    // A row of the wrong shape gets that one error: its fields cannot be trusted to be where they belong.
    const parsed = r.shapeError ? undefined : RosterRow.safeParse(r.fields);
    if (parsed && !parsed.success) rowErrors.push(...issuesToErrors(r, rawId, parsed.error));
    if (!parsed?.success || rowErrors.length) {
      fail(rowErrors);
      return undefined;
    }
    return { line: r.line, row: parsed.data, placed: PLACEMENT_FIELDS.some((f) => f in r.fields), at };
  }

  private resolvePlace(g: ShapedRow, places: PlaceIndex, fail: (e: RosterError[]) => void): GoodRow | undefined {
    if (!g.placed) return { line: g.line, row: g.row };
    const where = places.resolve(g.row.center ?? null, g.row.room ?? null);
    if (!where.ok) {
      fail([{ ...g.at, field: where.field, message: where.message }]);
      return undefined;
    }
    return { line: g.line, row: g.row, placement: { centerId: where.centerId, roomId: where.roomId, seat: g.row.seat || null } };
  }

  /**
   * A new generated access code for one registration, answered once. The old code stops working
   * and every login made with it is revoked, in the unit of work that stores the new hash.
   */
  async reissueCode(by: Actor, examId: string, candidateId: string): Promise<ReissuedCode> {
    const accessCode = newAccessCode();
    const hash = this.d.accessCodeHash(normalizeCode(accessCode));
    return this.d.db.tx(async (r) => {
      const exam = await r.exams.get(examId);
      if (!exam) throw notFound('no such exam');
      const reg = await r.registrations.get(examId, candidateId);
      if (!reg) throw notFound('no such registration');
      const t = this.d.now();
      const loginsRevoked = await revokeLoginsOfRotatedCodes(r, examId, [{ candidateId, accessCodeHash: hash }], t, { at: t, actorType: 'staff', actorId: by.principal.userId, ip: by.ip });
      await r.registrations.register(examId, [{ candidateId, name: reg.name, accessCodeHash: hash }], t);
      await r.audit.append([staffAudit(by, t, 'registration.access_code_reissued', { examId, candidateId, loginsRevoked })]);
      return { candidateId, name: reg.name, accessCode, examCode: exam.code, examTitle: exam.title, centerName: reg.centerName, roomName: reg.roomName, seat: reg.seat, loginsRevoked };
    });
  }

  /** Planned extra time and rest breaks of one registration; 409 ALREADY_STARTED once the candidate has started this exam. */
  async setAccommodations(by: Actor, examId: string, candidateId: string, req: AccommodationsRequest): Promise<AdminRegistration> {
    await this.assertExam(examId);
    await this.d.db.tx(async (r) => {
      const before = await r.registrations.get(examId, candidateId);
      if (!before) throw notFound('no such registration');
      if ((await r.examSessions.listForCandidate(candidateId)).some((x) => x.examId === examId)) {
        throw conflict('ALREADY_STARTED', 'this candidate has already started: planned time is fixed at the start (a proctor can extend the time of a running session)');
      }
      await r.registrations.setAccommodations(examId, [{ candidateId, ...req }]);
      const t = this.d.now();
      await r.audit.append([
        staffAudit(by, t, 'registration.accommodations_set', { examId, candidateId, before: { extraTimeMinutes: before.extraTimeMinutes, restBreakMinutes: before.restBreakMinutes }, after: { extraTimeMinutes: req.extraTimeMinutes ?? before.extraTimeMinutes, restBreakMinutes: req.restBreakMinutes ?? before.restBreakMinutes } }),
      ]);
    });
    return registrationView((await this.d.db.repos.registrations.get(examId, candidateId))!);
  }

  async listRegistrations(examId: string, q: { centerId?: string; roomId?: string; limit?: number; offset?: number }) {
    await this.assertExam(examId);
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const r = await this.d.db.repos.registrations.list(examId, { ...(q.centerId ? { centerId: q.centerId } : {}), ...(q.roomId ? { roomId: q.roomId } : {}), limit, offset });
    return { total: r.total, limit, offset, registrations: r.registrations.map(registrationView) };
  }

  /** Sets where a registered candidate sits (a room alone implies its center); the seat check runs in the writing transaction. */
  async place(by: Actor, examId: string, candidateId: string, req: PlaceRegistrationRequest): Promise<AdminRegistration> {
    await this.assertExam(examId);
    await this.d.db.tx(async (r) => {
      const before = await r.registrations.get(examId, candidateId);
      if (!before) throw notFound('no such registration');
      let centerId = req.centerId ?? null;
      const roomId = req.roomId ?? null;
      if (centerId !== null && !(await r.places.getCenter(centerId))) throw notFound('no such center');
      if (roomId !== null) {
        const room = await r.places.getRoom(roomId);
        if (!room || (centerId !== null && room.centerId !== centerId)) throw notFound(centerId === null ? 'no such room' : 'no such room in this center');
        centerId = room.centerId;
      }
      const p: Placement = { centerId, roomId, seat: req.seat ?? null };
      const holder = await r.registrations.seatTakenBy(examId, candidateId, p);
      if (holder) throw conflict('CONFLICT', `seat "${p.seat}" is already taken by candidate ${holder}`, { candidateId: holder });
      const t = this.d.now();
      await r.registrations.place(examId, candidateId, p);
      await r.audit.append([staffAudit(by, t, 'registration.placed', { examId, candidateId, before: { centerId: before.centerId, roomId: before.roomId, seat: before.seat }, after: p })]);
    });
    return registrationView((await this.d.db.repos.registrations.get(examId, candidateId))!);
  }
}
