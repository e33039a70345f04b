import { initialState } from '@invigil/core';
import { sessionFixture } from '../src/adapters/session-fixture.ts';
import { provisionIn, type InProcess } from '../src/testing/in-process.ts';

/**
 * Writes `n` live (active, clock running) exam sessions of one 600-minute exam straight through the
 * repositories of an in-process server, 1,000 to a transaction: tens of thousands in seconds, where
 * logging in and starting each over HTTP would take minutes. Used by bench/sweep.ts (in-process) and
 * by `pnpm bench --live-sessions` (before the real server starts on the same DATA_DIR). The sessions
 * start at the in-process clock's now and have no device key and no login of their own.
 */
export async function provisionLiveSessions(s: InProcess, n: number, prefix = 'live'): Promise<{ examId: string; attemptIds: string[] }> {
  const { examId } = await provisionIn(s, 1, { durationMinutes: 600 });
  const now = s.clock.now();
  const attemptIds: string[] = [];
  for (let i = 0; i < n; i += 1_000) {
    await s.db.tx(async (r) => {
      for (let j = i; j < Math.min(n, i + 1_000); j++) {
        const rec = sessionFixture({ examId, candidateId: `${prefix}-${j}`, at: now, allowedMs: 600 * 60_000 }, { state: { ...initialState(600 * 60_000, now), runningSince: now }, browserInfo: 'bench', ipAddress: '127.0.0.1' });
        await r.examSessions.insert(rec, now);
        attemptIds.push(rec.attemptId);
      }
    });
  }
  return { examId, attemptIds };
}
