import type { SessionInfo } from '@invigil/contract';
import { DomainError } from '../ports/errors.ts';
import type { CandidateRef } from '../ports/types.ts';
import type { SessionChanges } from './session-changes.ts';
import type { SessionReader } from './session-reader.ts';

/** What a candidate does to their own session: pause, resume, submit, abandon. */
export class CandidateActions {
  constructor(private readonly d: { changes: SessionChanges; reader: SessionReader }) {}

  async pause(who: CandidateRef, attemptId: string): Promise<SessionInfo> {
    return this.d.reader.info(await this.d.changes.apply(attemptId, { type: 'candidate', ref: who }, { type: 'pause', by: 'candidate' }));
  }

  async resume(who: CandidateRef, attemptId: string): Promise<SessionInfo> {
    return this.d.reader.info(await this.d.changes.apply(attemptId, { type: 'candidate', ref: who }, { type: 'resume', by: 'candidate' }, { needsActivation: true }));
  }

  /**
   * Submitting is idempotent: a kiosk that lost the answer to its submit and retries gets the
   * completed session again (also when time ran out just before the click), never an error.
   */
  async submit(who: CandidateRef, attemptId: string): Promise<SessionInfo> {
    try {
      return await this.d.reader.info(await this.d.changes.apply(attemptId, { type: 'candidate', ref: who }, { type: 'submit', by: 'candidate' }));
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === 'not_found') throw e;
      const rec = await this.d.reader.mine(who, attemptId);
      if (rec?.state.status === 'completed') return this.d.reader.info(rec);
      throw e;
    }
  }

  async terminate(who: CandidateRef, attemptId: string): Promise<void> {
    await this.d.changes.apply(attemptId, { type: 'candidate', ref: who }, { type: 'terminate', by: 'candidate' });
  }
}
