import { OfflineBundleBody, OfflineBundleFile, OfflineBundleSealed, offlineBundleSigningString, type OfflineBundleUploadResponse } from '@invigil/contract';
import { answerShapeError, isFinal } from '@invigil/core';
import { createHash, randomUUID } from 'node:crypto';
import type { AnswerWriter } from '../exam-sessions/answer-writer.ts';
import type { ExamCatalog } from '../exam-sessions/exam-catalog.ts';
import { auditEntry } from '../exam-sessions/audit-entry.ts';
import type { SessionChanges } from '../exam-sessions/session-changes.ts';
import type { Database } from '../ports/database.ts';
import { conflict, invalid } from '../ports/errors.ts';
import type { Actor, Principal } from '../ports/types.ts';
import type { DeviceKeyVerifier } from '../security/device-keys.ts';
import type { OfflineKeys } from '../security/offline-keys.ts';
import type { RoomService } from './room-service.ts';

/** The info string of the box an offline bundle travels in. */
export const BUNDLE_BOX_INFO = 'invigil-offline-bundle/v1';

export interface OfflineBundleDeps {
  db: Database;
  now: () => number;
  keys: OfflineKeys;
  room: RoomService;
  catalog: ExamCatalog;
  changes: SessionChanges;
  writer: AnswerWriter;
  verifier: DeviceKeyVerifier;
}

const refused = (message: string) => invalid('INVALID_BUNDLE', `${message}; nothing was changed`);

/**
 * Offline submission (README "Offline submission"): staff upload the file a kiosk wrote when the
 * network never came back. The server opens it (it is encrypted to the server's key), checks it is
 * signed by the device the attempt is bound to, and merges the answers by clientSeq (only over a
 * lower one: nothing duplicated, a re-upload changes nothing). A bundle marked submitted completes
 * the attempt. Every upload is recorded (offline_bundles) and audited in the attempt's timeline.
 */
export class OfflineBundleService {
  constructor(private readonly d: OfflineBundleDeps) {}

  async upload(p: Principal, text: string, ip: string): Promise<OfflineBundleUploadResponse> {
    let file;
    try {
      file = OfflineBundleFile.parse(JSON.parse(text));
    } catch {
      throw refused('this is not an Invigil offline bundle (a .invigil file the kiosk wrote)');
    }
    if (file.keyId !== this.d.keys.keyId) throw refused('this bundle was encrypted for another Invigil server (its key id does not match this server’s)');
    const opened = this.d.keys.open(file.box, BUNDLE_BOX_INFO);
    if (!opened) throw refused('the bundle cannot be decrypted: it was changed or damaged after the kiosk wrote it');
    let body;
    let sealed;
    try {
      sealed = OfflineBundleSealed.parse(JSON.parse(opened.toString('utf8')));
      body = OfflineBundleBody.parse(JSON.parse(sealed.body));
    } catch {
      throw refused('the bundle’s content is not in the expected form');
    }
    // Scope before anything about the attempt is said: outside it, 404 like an unknown id.
    const rec = await this.d.room.visible(p, body.attemptId);
    if (rec.examId !== body.examId || rec.candidateId !== body.candidateId) throw refused('the bundle does not match the attempt it names');
    if (!rec.devicePublicKey || rec.devicePublicKey !== body.devicePublicKey) throw refused('the bundle was written by a device this attempt is not bound to (another kiosk, or the desk before a transfer)');
    if (!this.d.verifier.verify(body.devicePublicKey, offlineBundleSigningString(sealed.body), sealed.signature)) throw refused('the device signature does not match the bundle’s content');
    const exam = await this.d.catalog.get(rec.examId);
    // The newest of each question (highest clientSeq); every one checked like a normal save.
    const latest = new Map<string, (typeof body.answers)[number]>();
    for (const a of body.answers) {
      const q = exam?.questionsById.get(a.questionId);
      if (!q) throw refused(`the bundle answers a question this exam does not have (${a.questionId})`);
      const shape = answerShapeError(q, a.value);
      if (shape) throw refused(`answer to ${a.questionId}: ${shape}`);
      const cur = latest.get(a.questionId);
      if (!cur || a.clientSeq > cur.clientSeq) latest.set(a.questionId, a);
    }
    const sha256 = createHash('sha256').update(text).digest('hex');
    const actor: Actor = { type: 'staff', id: p.userId, ip, reason: 'offline bundle upload' };
    const now = this.d.now();
    const rows = [...latest.values()].map((a) => ({ questionId: a.questionId, valueJson: JSON.stringify(a.value), clientSeq: a.clientSeq, at: now }));

    await this.d.writer.flush(); // answers saved online before this upload are stored first
    const out = await this.d.db.tx(async (r) => {
      const current = await r.examSessions.getForUpdate(body.attemptId);
      if (!current) return { error: 'gone' as const };
      const duplicate = (await r.offlineBundles.find(current.attemptId, sha256)) !== undefined;
      const stored = new Map((await r.answers.list(current.attemptId)).map((a) => [a.questionId, a.clientSeq]));
      const newer = rows.filter((w) => (stored.get(w.questionId) ?? 0) < w.clientSeq);
      if (current.state.status === 'terminated' && newer.length > 0) return { error: 'terminated' as const };
      // A finished attempt takes nothing new: re-uploading what it already holds is acknowledged.
      if (isFinal(current.state) && newer.length > 0) return { error: 'final' as const, status: current.state.status, newer: newer.length };
      const merged = newer.length ? await r.answers.mergeOffline(current.attemptId, newer) : 0;
      if (!duplicate) {
        await r.offlineBundles.insert({
          id: randomUUID(),
          attemptId: current.attemptId,
          sha256,
          devicePublicKey: body.devicePublicKey,
          uploadedBy: p.userId,
          receivedAt: now,
          exportedAt: body.exportedAt,
          answers: rows.length,
          applied: merged,
          submitted: body.submitted,
        });
      }
      await r.audit.append([
        auditEntry(actor, current.attemptId, 'session.offline_bundle_merged', now, {
          bundleSha256: sha256,
          duplicate,
          answers: rows.length,
          applied: merged,
          unchanged: rows.length - merged,
          submitted: body.submitted,
          exportedAt: new Date(body.exportedAt).toISOString(),
          offlineSince: body.offlineSince === null ? null : new Date(body.offlineSince).toISOString(),
          events: body.events.length,
        }),
      ]);
      return { error: null, merged, duplicate, final: isFinal(current.state), status: current.state.status };
    });
    if (out.error === 'gone') throw refused('the attempt the bundle names no longer exists');
    if (out.error === 'terminated') throw conflict('SESSION_FINISHED', 'staff terminated this attempt: an offline bundle cannot add answers to it; nothing was changed');
    if (out.error === 'final') {
      throw conflict('ATTEMPT_FINISHED', `the attempt is already ${out.status}: its answers are final and the bundle holds ${out.newer} newer one(s); nothing was changed`, { newer: out.newer });
    }
    let status: string = out.status;
    let submittedNow = false;
    if (body.submitted && !out.final) {
      const after = await this.d.changes.apply(body.attemptId, actor, { type: 'submit', by: 'staff' }, { announce: { action: 'offline_submit', by: p.userId } });
      status = after.state.status;
      submittedNow = isFinal(after.state);
    }
    return { attemptId: body.attemptId, candidateId: body.candidateId, answers: rows.length, applied: out.merged, unchanged: rows.length - out.merged, duplicate: out.duplicate, submittedNow, status };
  }
}
