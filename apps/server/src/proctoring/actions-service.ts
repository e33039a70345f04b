import type { Instruction, LiveSession, ProctorAction } from '@invigil/contract';
import { isFinal, type SessionEvent } from '@invigil/core';
import { auditEntry } from '../exam-sessions/audit-entry.ts';
import type { SessionChanges } from '../exam-sessions/session-changes.ts';
import { conflict } from '../ports/errors.ts';
import type { Actor, Principal, SessionRecord } from '../ports/types.ts';
import type { RoomService } from './room-service.ts';

/**
 * Proctor actions. Each is one transaction: the session's change, its audit entry and the
 * instruction its kiosk receives in the next heartbeat answer commit together or not at all.
 */
export class ActionsService {
  constructor(private readonly d: { changes: SessionChanges; room: RoomService }) {}

  async act(p: Principal, attemptId: string, a: ProctorAction, ip: string): Promise<LiveSession> {
    await this.d.room.visible(p, attemptId);
    return this.d.room.liveOne(await this.apply(p, attemptId, a, ip));
  }

  /**
   * The action itself, on a session the caller may see (checked by the caller), exactly as a
   * single-candidate action: the change, its audit and the kiosk's instruction in one transaction.
   * `batchId` tags the instruction with the whole-room action it belongs to.
   */
  async apply(p: Principal, attemptId: string, a: ProctorAction, ip: string, batchId?: string): Promise<SessionRecord> {
    const actor: Actor = { type: 'staff', id: p.userId, ip, reason: a.reason ?? null };
    const events: Record<ProctorAction['action'], SessionEvent | null> = {
      lock: { type: 'lock', reason: a.reason ?? 'locked by staff' },
      unlock: { type: 'unlock' },
      pause: { type: 'pause', by: 'staff', reason: a.reason },
      resume: { type: 'resume', by: 'staff' },
      extend: { type: 'extend', ms: a.action === 'extend' ? a.minutes * 60_000 : 0 },
      message: null,
      force_submit: { type: 'submit', by: 'staff' },
      terminate: { type: 'terminate', by: 'staff' },
    };
    const kiosk: Record<ProctorAction['action'], [Instruction['type'], string | null]> = {
      lock: ['lock', a.reason ?? null],
      unlock: ['unlock', null],
      pause: ['pause', a.reason ?? null],
      resume: ['resume', null],
      extend: ['message', a.action === 'extend' ? `Your time was extended by ${a.minutes} minute${a.minutes === 1 ? '' : 's'}.` : null],
      message: ['message', a.action === 'message' ? a.message : null],
      force_submit: ['submit', 'Your exam was submitted by the proctor.'],
      terminate: ['quit', 'Your exam session was ended by the proctor.'],
    };
    const [type, message] = kiosk[a.action];
    const extras = { instructions: [{ type, message, issuedBy: p.userId, reason: a.reason ?? null, ...(batchId ? { batchId } : {}) }], announce: { action: a.action, by: p.userId } };
    const event = events[a.action];
    let after;
    if (event) {
      after = await this.d.changes.apply(attemptId, actor, event, { needsActivation: a.action === 'resume', ...extras });
    } else {
      ({ record: after } = await this.d.changes.mutate(attemptId, null, (current) => {
        if (isFinal(current.state)) return { error: conflict('SESSION_FINISHED', `the session is ${current.state.status}`), result: null };
        const audit = auditEntry(actor, attemptId, 'session.message_sent', this.d.changes.now, { message: a.action === 'message' ? a.message : '' });
        return { audit: [audit], ...extras, result: null };
      }));
    }
    return after;
  }
}
