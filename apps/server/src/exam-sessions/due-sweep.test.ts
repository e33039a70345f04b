import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { candidateLoginIn, inProcess, provisionIn, type InProcess } from '../testing/in-process.ts';
import { DueSessions } from './due-sessions.ts';
import { FULL_SCAN_MS } from './sweeper.ts';

describe('DueSessions: when each session is next due', () => {
  const T = Date.parse('2026-12-01T09:00:00Z');

  it('names a session only once it is due; a sign of life moves it later; untracked is forgotten', () => {
    const due = new DueSessions(T);
    due.track('a', { fixedAt: T + 600_000, silenceMs: 30_000, lastSeenAt: T });
    due.track('b', { fixedAt: T + 5_000, silenceMs: Infinity, lastSeenAt: T });
    expect(due.takeDue(T + 4_999)).toEqual([]);
    expect(due.takeDue(T + 5_000)).toEqual(['b']);
    expect(due.takeDue(T + 5_000)).toEqual([]); // taken out until tracked again
    due.seen('a', T + 20_000);
    expect(due.takeDue(T + 30_000)).toEqual([]); // the old silence deadline passed: moved, not due
    expect(due.takeDue(T + 49_999)).toEqual([]);
    expect(due.takeDue(T + 50_000)).toEqual(['a']);
    due.track('a', { fixedAt: T + 600_000, silenceMs: 30_000, lastSeenAt: T + 50_000 });
    due.untrack('a');
    expect(due.takeDue(T + 700_000)).toEqual([]);
    expect(due.size).toBe(0);
  });

  it('a session heard of without an entry, or one to check again, comes up on the next pass', () => {
    const due = new DueSessions(T);
    due.seen('new', T);
    due.track('x', { fixedAt: T + 600_000, silenceMs: 30_000, lastSeenAt: T });
    due.recheck('x');
    expect(due.takeDue(T).sort()).toEqual(['new', 'x']);
    expect(due.takeDue(T + 600_000)).toEqual([]); // x was taken out for its check
  });

  it('a time-up deadline does not move with signs of life', () => {
    const due = new DueSessions(T);
    due.track('a', { fixedAt: T + 10_000, silenceMs: 30_000, lastSeenAt: T });
    due.seen('a', T + 9_000);
    expect(due.takeDue(T + 10_000)).toEqual(['a']);
  });
});

describe('the sweeper looks only at what is due (whole app in-process, manual clock)', () => {
  let s: InProcess;
  let examId: string;
  let cands: { candidateId: string; accessCode: string }[];
  beforeEach(async () => {
    s = await inProcess({ HEARTBEAT_INTERVAL_MS: '10000', MISSED_HEARTBEATS_BEFORE_PAUSE: '3' });
    const p = await provisionIn(s, 6, { durationMinutes: 60, questions: [{ id: 'q', type: 'text', prompt: 'p' }] });
    examId = p.examId;
    cands = p.candidates;
  });
  afterEach(() => s.close());

  const startAll = async (n: number) => {
    const out: { attemptId: string; token: string }[] = [];
    for (const c of cands.slice(0, n)) {
      const token = await candidateLoginIn(s, examId, c);
      const r = await s.api('POST', '/exams/sessions/start', { examSetId: examId }, token);
      expect(r.status).toBe(201);
      out.push({ attemptId: r.body.attemptId, token });
    }
    return out;
  };

  it('live sessions cost a pass nothing until one is due; the silent one is paused at the threshold', async () => {
    expect(await s.jobs.sweep()).toMatchObject({ fullScan: true, examined: 0 });
    const live = await startAll(5);
    // The sessions started here are looked at once, then only when due.
    expect(await s.jobs.sweep()).toMatchObject({ examined: 5, autoPaused: 0, fullScan: false });
    for (let t = 0; t < 20; t++) {
      s.clock.advance(1_000);
      expect(await s.jobs.sweep()).toMatchObject({ examined: 0, autoPaused: 0 });
    }
    // Four keep their presence fresh (what a heartbeat writes); the fifth goes silent.
    for (const x of live.slice(0, 4)) await s.shared.presence.touch(x.attemptId, s.clock.now(), 0);
    s.clock.advance(10_000); // 30 s since the start: the fifth is due
    const r = await s.jobs.sweep();
    expect(r).toMatchObject({ autoPaused: 1 });
    expect(r.examined).toBeLessThanOrEqual(5);
    expect((await s.db.repos.examSessions.get(live[4]!.attemptId))!.state.status).toBe('paused');
    for (const x of live.slice(0, 4)) expect((await s.db.repos.examSessions.get(x.attemptId))!.state.status).toBe('active');
    // The paused one is read once more (its deadline is now the paused-session TTL)…
    expect(await s.jobs.sweep()).toMatchObject({ examined: 1, autoPaused: 0, expired: 0 });
    // …and the four fresh ones were moved, not paused: nothing is due for the next 19 s.
    for (let t = 0; t < 19; t++) {
      s.clock.advance(1_000);
      expect(await s.jobs.sweep()).toMatchObject({ examined: 0, autoPaused: 0 });
    }
  });

  it('a session changed behind this process’s back (another instance) is found by the full scan', async () => {
    const [x] = await startAll(1);
    await s.api('POST', `/exams/sessions/${x!.attemptId}/pause`, undefined, x!.token);
    await s.jobs.sweep(); // knows it as paused (expires in a day)
    // Another instance resumes it (straight in the database: this process hears nothing).
    const rec = (await s.db.repos.examSessions.get(x!.attemptId))!;
    const now = s.clock.now();
    await s.db.tx(async (r) => r.examSessions.update({ ...rec, lastActivityAt: now, state: { ...rec.state, status: 'active', pausedAt: null, pauseKind: null, runningSince: now } }, now));
    s.clock.advance(FULL_SCAN_MS);
    const r = await s.jobs.sweep();
    expect(r.fullScan).toBe(true);
    // Silent since the other instance resumed it 60 s ago: paused again, exactly once.
    expect(r.autoPaused).toBe(1);
    expect((await s.db.repos.examSessions.get(x!.attemptId))!.state).toMatchObject({ status: 'paused', pauseKind: 'auto' });
  });
});

describe('a change that makes a session due sooner', () => {
  it('a pause with a short paused-session TTL expires at the TTL, not at the old silence deadline', async () => {
    const s = await inProcess({ HEARTBEAT_INTERVAL_MS: '10000', PAUSED_SESSION_TTL_MS: '5000' });
    try {
      const p = await provisionIn(s, 1, { durationMinutes: 60, questions: [{ id: 'q', type: 'text', prompt: 'p' }] });
      const token = await candidateLoginIn(s, p.examId, p.candidates[0]!);
      const st = await s.api('POST', '/exams/sessions/start', { examSetId: p.examId }, token);
      await s.jobs.sweep(); // tracked: silent in 30 s
      expect((await s.api('POST', `/exams/sessions/${st.body.attemptId}/pause`, undefined, token)).body.status).toBe('paused');
      s.clock.advance(5_000);
      expect(await s.jobs.sweep()).toMatchObject({ expired: 1 });
    } finally {
      await s.close();
    }
  });
});
