import type { Note, Waiver } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import type { Database } from '../ports/database.ts';
import type { NoteRecord } from '../ports/room-ops-records.ts';
import type { Principal } from '../ports/types.ts';
import type { RoomActionsService } from './room-actions-service.ts';
import type { RoomService } from './room-service.ts';
import { scopeOf } from './scope.ts';
import { staffName } from './staff-name.ts';
import { waiverView } from './waiver-service.ts';

const iso = (t: number) => new Date(t).toISOString();
export const noteView = (n: NoteRecord): Note => ({ ...n, at: iso(n.at) });

/**
 * The incident log: free-text notes about a candidate (their attempt) or a room, with time and
 * author. Notes are their own append-only rows (the database refuses to change or remove one), so
 * a sealed archive stays as it was and the review shows every note, also those written after it.
 */
export class NotesService {
  constructor(private readonly d: { db: Database; now: () => number; room: RoomService; roomActions: RoomActionsService }) {}

  async add(p: Principal, body: { text: string; attemptId?: string; roomId?: string; examId?: string }, ip: string): Promise<Note> {
    let place: Pick<NoteRecord, 'examId' | 'centerId' | 'roomId' | 'candidateId' | 'attemptId'>;
    if (body.attemptId) {
      const s = await this.d.room.visible(p, body.attemptId);
      place = { examId: s.examId, centerId: s.centerId, roomId: s.roomId, candidateId: s.candidateId, attemptId: s.attemptId };
    } else {
      const room = await this.d.roomActions.visibleRoom(p, body.roomId!);
      place = { examId: body.examId ?? null, centerId: room.centerId, roomId: room.id, candidateId: null, attemptId: null };
    }
    const now = this.d.now();
    const note: NoteRecord = { id: randomUUID(), at: now, authorId: p.userId, authorName: await staffName(this.d.db, p), ...place, text: body.text };
    // A room note is also entered in the audit of every unfinished attempt in that room (of its exam,
    // when named), so it is sealed into each of their archives like a candidate note.
    const inRoom = note.attemptId
      ? []
      : await this.d.db.repos.examSessions.listForStaff({ centerId: note.centerId ?? undefined, roomId: note.roomId ?? undefined, ...(note.examId ? { examId: note.examId } : {}), places: scopeOf(p), limit: 5_000 });
    const detail = { noteId: note.id, roomId: note.roomId, examId: note.examId, author: note.authorName, text: note.text };
    await this.d.db.tx(async (r) => {
      await r.roomOps.addNote(note);
      await r.audit.append([
        { at: now, actorType: 'staff', actorId: p.userId, action: 'note.added', attemptId: note.attemptId, detail, ip },
        ...inRoom.map((s) => ({ at: now, actorType: 'staff' as const, actorId: p.userId, action: 'note.room_added', attemptId: s.attemptId, detail, ip })),
      ]);
    });
    return noteView(note);
  }

  async list(p: Principal, q: { roomId?: string; examId?: string; attemptId?: string }): Promise<{ notes: Note[] }> {
    if (q.attemptId) await this.d.room.visible(p, q.attemptId);
    if (q.roomId) await this.d.roomActions.visibleRoom(p, q.roomId);
    const rows = await this.d.db.repos.roomOps.notes({ ...q, places: scopeOf(p), limit: 2_000 });
    return { notes: rows.map(noteView) };
  }

  /**
   * For the review: the attempt's own notes, the notes about its room (for its exam or the whole
   * room), and the check waivers its candidate was granted.
   */
  async incidents(p: Principal, attemptId: string): Promise<{ notes: Note[]; roomNotes: Note[]; waivers: Waiver[] }> {
    const s = await this.d.room.visible(p, attemptId);
    const own = await this.d.db.repos.roomOps.notes({ attemptId, places: scopeOf(p), limit: 2_000 });
    const room = s.roomId ? await this.d.db.repos.roomOps.notes({ roomId: s.roomId, places: scopeOf(p), limit: 2_000 }) : [];
    const waivers = await this.d.db.repos.roomOps.waivers(s.examId, s.candidateId);
    return {
      notes: own.map(noteView),
      roomNotes: room.filter((n) => n.attemptId === null && (n.examId === null || n.examId === s.examId)).map(noteView),
      waivers: waivers.map(waiverView),
    };
  }
}
