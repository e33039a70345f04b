import { RosterRow, type AdminRegistration, type PlaceRegistrationRequest, type RosterError, type RosterReport } from '@invigil/contract';
import type { z } from 'zod';
import type { Placement, RegistrationRecord, RosterWrite } from '../ports/admin-records.ts';
import type { Database } from '../ports/database.ts';
import { conflict, invalid, notFound } from '../ports/errors.ts';
import { staffAudit, type Actor } from './audit.ts';
import { PlaceIndex } from './place-index.ts';
import { parseRosterCsv, parseRosterJson, type RawRosterRow } from './roster-parse.ts';
import { revokeLoginsOfRotatedCodes } from './rotated-codes.ts';

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
    const hashes = new Map(shaped.map((g) => [g.row.candidateId, this.d.accessCodeHash(g.row.accessCode)]));

    return this.d.db.tx(async (r) => {
      const places = new PlaceIndex(await r.places.listCenters(), await r.places.allRooms());
      const checked: GoodRow[] = [];
      for (const g of shaped) {
        const ok = this.resolvePlace(g, places, fail);
        if (ok) checked.push(ok);
      }
      const seatErrors = this.checkSeats(await r.roster.placements(examId), checked);
      fail([...seatErrors.values()]);
      const good = checked.filter((g) => !seatErrors.has(g.row.candidateId));

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
      const rows: RosterWrite[] = good.map((g) => ({
        candidateId: g.row.candidateId,
        name: g.row.name,
        accessCodeHash: hashes.get(g.row.candidateId)!,
        ...(g.placement ? { placement: g.placement } : {}),
      }));
      const t = this.d.now();
      await revokeLoginsOfRotatedCodes(r, examId, rows, t, { at: t, actorType: 'staff', actorId: by.principal.userId, ip: by.ip });
      const { created, updated } = await r.roster.import(examId, rows, t);
      await r.audit.append([staffAudit(by, t, 'exam.roster_imported', { examId, format, atomic, total: raw.length, imported: rows.length, failed, created, updated })]);
      return { status: 200 as const, report: { imported: rows.length, created, updated, ...base } };
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
