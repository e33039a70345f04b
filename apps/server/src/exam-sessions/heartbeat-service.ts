import { heartbeatSigningString, type HeartbeatRequest, type HeartbeatResponse, type Instruction } from '@invigil/contract';
import { isFinal, remainingSeconds, settle } from '@invigil/core';
import type { Logger } from 'pino';
import type { Database } from '../ports/database.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { SharedState } from '../ports/shared-state.ts';
import type { CandidateRef, SessionRecord } from '../ports/types.ts';
import { DeviceKeyVerifier } from '../security/device-keys.ts';
import { auditEntry } from './audit-entry.ts';
import type { PresenceEvents } from './presence-events.ts';
import type { SessionChanges } from './session-changes.ts';
import type { SessionReader } from './session-reader.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import { integrityMessage } from './integrity-text.ts';
import { settleIfDue } from './start-service.ts';

const iso = (t: number) => new Date(t).toISOString();

/**
 * A heartbeat's seq may run at most this far above the last one taken. Further would let one bad
 * (or forged-by-a-buggy-kiosk) beat brick the device: every later honest seq would be a "replay".
 */
export const MAX_SEQ_JUMP = 1_000_000;

export interface HeartbeatDeps {
  db: Database;
  shared: SharedState;
  now: () => number;
  log: Logger;
  changes: SessionChanges;
  reader: SessionReader;
  presenceEvents: PresenceEvents;
  metrics?: Metrics;
  /** For the pause threshold each answer carries (`pauseAfterMs`). */
  catalog?: ExamCatalog;
}

/** Why this request does not come from the session's device, or null when it does. */
export function fingerprintMismatch(rec: SessionRecord, fingerprint: string | undefined): string | null {
  if (fingerprint !== undefined && rec.deviceFingerprint && fingerprint !== rec.deviceFingerprint) {
    return 'the device fingerprint differs from the one this session started on';
  }
  return null;
}

/**
 * The signed heartbeat. Only a request proven to come from the bound device touches anything, and
 * only a live session (active or paused) takes its seq and records presence: a heartbeat on a
 * finished or locked session changes nothing, so a later one with a lower seq gets the same answer.
 */
export class HeartbeatService {
  private readonly verifier = new DeviceKeyVerifier();
  /** attemptId → the device key its session was bound to when last seen (a cache: one read when lost). */
  private readonly boundKeys = new Map<string, string | null>();

  constructor(private readonly d: HeartbeatDeps) {}

  get keys(): DeviceKeyVerifier {
    return this.verifier;
  }

  private rememberKey(attemptId: string, key: string | null): void {
    if (this.boundKeys.size >= 100_000) this.boundKeys.clear();
    this.boundKeys.set(attemptId, key);
  }

  forgetKey(attemptId: string): void {
    this.boundKeys.delete(attemptId);
  }

  private checkSignature(key: string | null, req: HeartbeatRequest): Promise<boolean> {
    return key === null ? Promise.resolve(true) : this.verifier.verifyAsync(key, heartbeatSigningString(req.attemptId, req.seq), req.signature);
  }

  async heartbeat(who: CandidateRef, req: HeartbeatRequest): Promise<HeartbeatResponse> {
    const res = await this.beat(who, req);
    this.d.metrics?.heartbeat(res.sessionValid ? 'valid' : 'refused');
    return res;
  }

  /** The silence after which this exam's sessions are paused (what the kiosk's offline clock follows); from the catalog's cache when it holds the exam. */
  private pauseAfterMs(examId: string): number | undefined | Promise<number> {
    const catalog = this.d.catalog;
    if (!catalog) return undefined;
    return catalog.cachedSilenceMs(examId) ?? catalog.policy(examId).then((p) => p.silenceMs);
  }

  /**
   * `checked`: the session is read with its stamp checked (never a held copy); `prior`: the
   * signature's check already made against a key (a beat started again keeps it).
   */
  private async beat(who: CandidateRef, req: HeartbeatRequest, checked = false, prior?: { key: string | null; ok: boolean }): Promise<HeartbeatResponse> {
    // The signature is checked off the event loop (libuv's thread pool) against the key this attempt
    // was bound to, remembered from an earlier heartbeat; the session is read after the check, so the
    // answer (lock, status, instructions) is the state after it. Should the key have changed
    // meanwhile (a transfer to another desk), the check is made again with the key now bound.
    const { presence } = this.d.shared;
    let signedKey = prior ? prior.key : this.boundKeys.get(req.attemptId);
    let signatureOk = prior ? prior.ok : signedKey === undefined ? false : await this.checkSignature(signedKey, req);
    // With REDIS_URL the session, and the login (who.unchecked), may be the copies this process
    // holds, their stamps checked in the very step that takes the seq (advanceIfCurrent): one Redis
    // call per heartbeat. Every other outcome starts again from checked reads before it does or
    // answers anything; without a held session the login is checked first.
    const held = checked || !presence.advanceIfCurrent ? undefined : this.d.reader.held(who, req.attemptId);
    if (!held && who.unchecked) await who.unchecked.confirm();
    let rec = held?.rec ?? (await this.d.reader.mustBeMine(who, req.attemptId));
    if (signedKey !== rec.devicePublicKey) {
      signedKey = rec.devicePublicKey;
      this.rememberKey(rec.attemptId, signedKey);
      signatureOk = await this.checkSignature(signedKey, req);
      if (!held) rec = await this.d.reader.mustBeMine(who, req.attemptId);
    }
    const now = this.d.now();
    const refuse = (warning: string, extra: Partial<HeartbeatResponse> = {}): HeartbeatResponse => ({
      sessionValid: false,
      timeRemaining: remainingSeconds(rec.state, now),
      serverTime: now,
      warning,
      shouldForceRefresh: false,
      instructions: [],
      status: rec.state.status,
      isLocked: rec.state.isLocked,
      ...extra,
    });

    // Device binding: a heartbeat not signed by the bound key never touches the session.
    const mismatch =
      rec.devicePublicKey !== signedKey
        ? 'the session was moved to another device'
        : !signedKey
          ? fingerprintMismatch(rec, req.deviceFingerprint)
          : !req.signature
            ? 'this session is bound to a device key; the request carries no signature'
            : !signatureOk
              ? 'the signature does not match the device key this session is bound to'
              : fingerprintMismatch(rec, req.deviceFingerprint);
    if (held && (mismatch || settle(rec.state, now) || isFinal(rec.state) || rec.state.isLocked || req.seq > rec.lastSeq + MAX_SEQ_JUMP)) return this.beat(who, req, true, { key: signedKey ?? null, ok: signatureOk });
    if (mismatch) {
      await this.deviceAlert(rec, who, mismatch, now);
      return refuse(`DEVICE_MISMATCH: ${mismatch}`, { shouldForceRefresh: true });
    }

    // Over, or locked: nothing is consumed (no seq, no presence); staff instructions still arrive.
    if (settle(rec.state, now)) {
      rec = await settleIfDue(this.d.changes, rec, now);
      return refuse('SESSION_FINISHED: exam time is over; the attempt was submitted', { instructions: await this.deliver(rec, req, now), timeRemaining: 0, shouldForceRefresh: true });
    }
    if (isFinal(rec.state)) {
      return refuse(`SESSION_${rec.state.status.toUpperCase()}: the session is ${rec.state.status}`, { instructions: await this.deliver(rec, req, now), shouldForceRefresh: true });
    }
    if (rec.state.isLocked) return refuse(`SESSION_LOCKED: ${rec.state.lockReason ?? 'locked by staff'}`, { instructions: await this.deliver(rec, req, now) });

    if (req.seq > rec.lastSeq + MAX_SEQ_JUMP) {
      // Presence may know a later seq than the database (flushed each second): only then is it read.
      const last = Math.max(rec.lastSeq, (await this.d.shared.presence.get(rec.attemptId))?.seq ?? 0);
      if (req.seq > last + MAX_SEQ_JUMP) {
        if (await this.d.changes.alertOnce(`${rec.attemptId}:seq-jump`, now)) {
          await this.d.changes.alert(rec, { at: now, kind: 'heartbeat_seq_jump', severity: 'warning', message: `heartbeat seq ${req.seq} jumped more than ${MAX_SEQ_JUMP} above the last one (${last})`, detail: { seq: req.seq, last } });
        }
        return refuse(`SEQ_TOO_FAR: seq ${req.seq} is more than ${MAX_SEQ_JUMP} above the last heartbeat's (${last}); it was not taken`);
      }
    }
    // Whether staff left instructions is asked in the step that takes the seq (held copies), or
    // alongside it (one round trip with Redis); the answer is used only when the seq is taken.
    let hint: Promise<string | null> | string | null;
    let taken: 'taken' | 'replayed' | 'stale';
    if (held) {
      const checks = who.unchecked ? [held.check, ...who.unchecked.checks] : [held.check];
      ({ outcome: taken, hint } = await presence.advanceIfCurrent!(rec.attemptId, req.seq, now, rec.lastSeq, checks));
    } else {
      hint = this.d.shared.hints.peek(rec.attemptId);
      hint.catch(() => undefined); // awaited below, or not needed: never an unhandled rejection
      taken = (await presence.advance(rec.attemptId, req.seq, now, rec.lastSeq)) ? 'taken' : 'replayed';
    }
    if (taken === 'stale') return this.beat(who, req, true, { key: signedKey ?? null, ok: signatureOk });
    if (taken === 'replayed') {
      if (await this.d.changes.alertOnce(`${rec.attemptId}:replay`, now)) {
        await this.d.changes.alert(rec, { at: now, kind: 'heartbeat_replay', severity: 'warning', message: `heartbeat seq ${req.seq} was not above the last one seen`, detail: { seq: req.seq } });
      }
      return refuse(`REPLAYED_SEQ: seq ${req.seq} is not above the last heartbeat's`);
    }
    this.d.presenceEvents.note(rec, now);
    const instructions = await this.deliver(rec, req, now, hint);
    if (req.events?.length) await this.recordIntegrityEvents(rec, req.events, now);

    if (rec.state.status !== 'active') {
      return refuse(`SESSION_${rec.state.status.toUpperCase()}: the session is ${rec.state.status}${rec.state.pauseKind ? ` (${rec.state.pauseKind})` : ''}`, { instructions });
    }
    const ok: HeartbeatResponse = { sessionValid: true, timeRemaining: remainingSeconds(rec.state, now), serverTime: now, shouldForceRefresh: false, instructions, status: rec.state.status, isLocked: false };
    const pauseAfterMs = this.pauseAfterMs(rec.examId);
    if (pauseAfterMs !== undefined) ok.pauseAfterMs = typeof pauseAfterMs === 'number' ? pauseAfterMs : await pauseAfterMs;
    return ok;
  }

  /** The device is proven: take its acknowledgements and hand it what staff asked of it. */
  private async deliver(rec: SessionRecord, req: HeartbeatRequest, now: number, peeked?: Promise<string | null> | string | null): Promise<Instruction[]> {
    const { instructions } = this.d.db.repos;
    if (req.ackInstructionIds?.length) await instructions.ack(rec.attemptId, rec.deviceGeneration, req.ackInstructionIds, now);
    const hint = await (peeked === undefined ? this.d.shared.hints.peek(rec.attemptId) : peeked);
    if (hint === null) return [];
    const pending = await instructions.pending(rec.attemptId, rec.deviceGeneration);
    if (pending.length === 0) {
      await this.d.shared.hints.clear(rec.attemptId, hint);
      return [];
    }
    await instructions.markDelivered(rec.attemptId, pending.map((i) => i.id), now);
    return pending.map((i) => ({ id: i.id, type: i.type, issuedAt: iso(i.issuedAt), ...(i.message ? { message: i.message } : {}) }));
  }

  private async deviceAlert(rec: SessionRecord, who: CandidateRef, why: string, now: number): Promise<void> {
    this.d.log.warn({ attemptId: rec.attemptId, ip: who.ip }, 'device mismatch refused');
    if (!(await this.d.changes.alertOnce(`${rec.attemptId}:device`, now))) return;
    await this.d.changes.alert(rec, { at: now, kind: 'device_mismatch', severity: 'critical', message: why, detail: { ip: who.ip } }, [
      auditEntry({ type: 'candidate', ref: who }, rec.attemptId, 'session.device_mismatch', now, { why }),
    ]);
  }

  /**
   * What the kiosk reported, coalesced: one raise per kind in this heartbeat, counting its
   * occurrences and keeping the latest one's details (at most 20 of them). The alerts repository
   * adds it to the open alert of that kind, so a kiosk sending the same event forever grows a count,
   * not the database.
   */
  private recordIntegrityEvents(rec: SessionRecord, events: NonNullable<HeartbeatRequest['events']>, now: number): Promise<void> {
    const byKind = new Map<string, { n: number; latest: (typeof events)[number] }>();
    for (const ev of events) {
      if (ev.type === 'focus_regained') continue;
      const k = byKind.get(ev.type);
      if (!k) byKind.set(ev.type, { n: 1, latest: ev });
      else {
        k.n += 1;
        if (ev.at >= k.latest.at) k.latest = ev;
      }
    }
    const alerts = [...byKind.entries()].map(([type, { n, latest }]) => ({
      at: now,
      kind: type,
      count: n,
      severity: (type === 'remote_access' || type === 'vm_suspected' || type === 'forbidden_process' ? 'critical' : 'warning') as 'critical' | 'warning',
      message: type === 'help_requested' ? 'the candidate raised a hand: help requested' : integrityMessage(type, latest.details, n),
      detail: { reportedAt: latest.at, ...Object.fromEntries(Object.entries(latest.details ?? {}).slice(0, 20)) },
    }));
    return this.d.changes.alert(rec, alerts);
  }
}
