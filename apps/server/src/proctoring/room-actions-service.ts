import type { ProctorAction, RoomActionResponse } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import type { Database } from '../ports/database.ts';
import { DomainError, notFound } from '../ports/errors.ts';
import type { Principal } from '../ports/types.ts';
import type { ActionsService } from './actions-service.ts';
import { MAX_ROOM } from './room-service.ts';
import { inScope, scopeOf } from './scope.ts';

export type RoomActionKind = RoomActionResponse['action'];
export type RoomActionBody = { examId?: string; reason?: string; message?: string; minutes?: number };

/**
 * Whole-room actions (fire alarm: pause the room; message, extend or lock everyone): the same
 * single-candidate action applied to every unfinished session of the room, each in its own
 * transaction with its own audit entry and kiosk instruction (tagged with one batch id, so the
 * deliveries can be counted), plus one audit entry for the room action itself.
 */
export class RoomActionsService {
  constructor(private readonly d: { db: Database; now: () => number; actions: ActionsService }) {}

  /** The room if the caller may act on it: a proctor only in their own rooms (404 otherwise, like an unknown one). */
  async visibleRoom(p: Principal, roomId: string) {
    const room = await this.d.db.repos.places.getRoom(roomId);
    if (!room || !inScope(scopeOf(p), { centerId: room.centerId, roomId: room.id })) throw notFound('no such room');
    return room;
  }

  async act(p: Principal, roomId: string, kind: RoomActionKind, body: RoomActionBody, ip: string): Promise<RoomActionResponse> {
    const room = await this.visibleRoom(p, roomId);
    const sessions = await this.d.db.repos.examSessions.listForStaff({ centerId: room.centerId, roomId: room.id, ...(body.examId ? { examId: body.examId } : {}), places: scopeOf(p), limit: MAX_ROOM });
    const reason = body.reason ?? '';
    const single: ProctorAction =
      kind === 'pause'
        ? { action: 'pause', reason }
        : kind === 'resume'
          ? { action: 'resume', reason }
          : kind === 'lock'
            ? { action: 'lock', reason }
            : kind === 'extend'
              ? { action: 'extend', reason, minutes: body.minutes ?? 0 }
              : { action: 'message', message: body.message ?? '', ...(body.reason ? { reason: body.reason } : {}) };
    const batchId = randomUUID();
    const skipped: RoomActionResponse['skipped'] = [];
    let affected = 0;
    for (const s of sessions) {
      // Nothing to do: said per session, so the proctor knows who was not reached and why.
      const already =
        (kind === 'pause' && s.state.status !== 'active') ||
        (kind === 'resume' && !(s.state.status === 'paused' && s.state.pauseKind === 'staff')) ||
        (kind === 'lock' && s.state.isLocked);
      if (already) {
        skipped.push({ attemptId: s.attemptId, candidateId: s.candidateId, reason: kind === 'lock' ? 'already locked' : `the session is ${s.state.status}${s.state.pauseKind ? ` (${s.state.pauseKind} pause)` : ''}` });
        continue;
      }
      try {
        await this.d.actions.apply(p, s.attemptId, single, ip, batchId);
        affected += 1;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        skipped.push({ attemptId: s.attemptId, candidateId: s.candidateId, reason: e.message });
      }
    }
    const now = this.d.now();
    await this.d.db.repos.audit.append([
      {
        at: now,
        actorType: 'staff',
        actorId: p.userId,
        action: `room.${kind}`,
        reason: body.reason ?? null,
        detail: { roomId: room.id, centerId: room.centerId, examId: body.examId ?? null, batchId, matched: sessions.length, affected, ...(kind === 'message' ? { message: body.message } : {}), ...(kind === 'extend' ? { minutes: body.minutes } : {}) },
        ip,
      },
    ]);
    return { action: kind, roomId: room.id, batchId, matched: sessions.length, affected, instructed: affected, skipped };
  }

  async delivery(p: Principal, roomId: string, batchId: string) {
    await this.visibleRoom(p, roomId);
    return { batchId, ...(await this.d.db.repos.roomOps.batchDelivery(batchId, roomId)) };
  }
}
