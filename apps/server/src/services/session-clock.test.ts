import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../adapters/sqlite/db.ts';
import { SqliteStore } from '../adapters/sqlite/sqlite-store.ts';
import { MemoryPresence } from '../adapters/memory/memory-presence.ts';
import { loadConfig } from '../config.ts';
import type { Principal } from '../http/context.ts';
import { createServices, type Services } from './services.ts';

/**
 * The services on a real SQLite file with a clock the test moves by hand, for what takes
 * minutes or hours in real time: time running out, paused sessions expiring.
 */
let t: number;
let services: Services;
let store: SqliteStore;
let examId: string;
const admin: Principal = { sessionId: 's', role: 'admin', userId: 'admin-1' };
const who = { candidateId: 'c1', examId: null as string | null, ip: '10.0.0.9' };

beforeEach(() => {
  t = Date.parse('2026-11-22T09:00:00Z');
  const dir = mkdtempSync(join(tmpdir(), 'invigil-svc-'));
  store = new SqliteStore(openDatabase(dir));
  const config = loadConfig({ HEARTBEAT_INTERVAL_MS: '10000', PAUSED_SESSION_TTL_MS: '3600000' });
  services = createServices({ store, presence: new MemoryPresence(), config, log: pino({ level: 'silent' }), now: () => t, secretKey: Buffer.alloc(32, 7) });
  examId = services.provisioning.createExam(admin, { title: 'Clocked', durationMinutes: 10, questions: [{ id: 'q', type: 'text', prompt: 'p' }] }, '').id;
  services.provisioning.registerCandidates(admin, examId, { candidates: [{ candidateId: 'c1', name: 'One', accessCode: 'abcdef' }] }, '');
});

const status = (attemptId: string) => store.getSession(attemptId)!.state.status;

describe('the exam clock on the server', () => {
  it('time running out completes the attempt (auto-submit) at the moment it ran out, keeping the answers', async () => {
    const st = services.sessions.start(who, { examSetId: examId }, 'ua');
    expect(st.timeRemaining).toBe(600);
    t += 5 * 60_000;
    await services.sessions.saveAnswer(who, st.attemptId, 'q', 'half way', 1);
    t += 5 * 60_000 + 1;
    expect(services.sessions.sweep().completed).toBe(1);
    const rec = store.getSession(st.attemptId)!;
    expect(rec.state).toMatchObject({ status: 'completed', endReason: 'time_up', endedAt: Date.parse('2026-11-22T09:10:00Z') });
    expect(store.listAnswers(st.attemptId)).toEqual([expect.objectContaining({ questionId: 'q', value: 'half way' })]);
    await expect(services.sessions.saveAnswer(who, st.attemptId, 'q', 'too late', 2)).rejects.toMatchObject({ code: 'SESSION_FINISHED' });
  });

  it('an answer arriving after time is up is refused even before the sweeper ran', async () => {
    const st = services.sessions.start(who, { examSetId: examId }, 'ua');
    t += 10 * 60_000;
    await expect(services.sessions.saveAnswer(who, st.attemptId, 'q', 'late', 1)).rejects.toMatchObject({ code: 'SESSION_FINISHED' });
    expect(status(st.attemptId)).toBe('completed');
  });

  it('auto-pause charges the candidate only up to the last heartbeat, not the detection delay', async () => {
    const st = services.sessions.start(who, { examSetId: examId }, 'ua');
    t += 60_000; // last sign of life at +1 min (the start itself)
    await services.sessions.heartbeat(who, { attemptId: st.attemptId, seq: 1 });
    t += 45_000; // silent for 45 s > 3 × 10 s
    expect(services.sessions.sweep().autoPaused).toBe(1);
    const info = services.sessions.active(who).pausedSessions[0]!;
    expect(info.timeRemaining).toBe(540); // 10 min − 1 min, not − 1 min 45 s
    t += 30 * 60_000;
    expect(services.sessions.active(who).pausedSessions[0]!.timeRemaining).toBe(540);
    const resumed = services.sessions.resume(who, st.attemptId);
    expect(resumed.timeRemaining).toBe(540);
  });

  it('a paused session older than PAUSED_SESSION_TTL_MS expires and its attempt is abandoned', () => {
    const st = services.sessions.start(who, { examSetId: examId }, 'ua');
    services.sessions.pause(who, st.attemptId);
    t += 3_599_000;
    expect(services.sessions.sweep().expired).toBe(0);
    t += 1_000;
    expect(services.sessions.sweep().expired).toBe(1);
    expect(store.getSession(st.attemptId)!.state).toMatchObject({ status: 'expired', endReason: 'paused_ttl' });
    expect(() => services.sessions.resume(who, st.attemptId)).toThrow(/expired/);
    expect(() => services.sessions.start(who, { examSetId: examId }, 'ua')).toThrow(/already attempted/);
  });

  it('every state change leaves an audit event (who, what, why, when), and the audit table refuses edits', () => {
    const st = services.sessions.start(who, { examSetId: examId }, 'ua');
    services.sessions.pause(who, st.attemptId);
    services.sessions.resume(who, st.attemptId);
    services.sessions.submit(who, st.attemptId);
    const db = (store as unknown as { db: { $client: import('better-sqlite3').Database } }).db.$client;
    const rows = db.prepare('select at, actor_type, actor_id, action, reason, ip from audit_events where attempt_id = ? order by id').all(st.attemptId) as Record<string, unknown>[];
    expect(rows.map((r) => r.action)).toEqual(['session.started', 'session.paused', 'session.resumed', 'session.completed']);
    for (const r of rows) expect(r).toMatchObject({ actor_type: 'candidate', actor_id: 'c1', ip: '10.0.0.9', at: t });
    expect(rows[3]!.reason).toBe('submitted');
    expect(() => db.prepare("update audit_events set action = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('delete from audit_events').run()).toThrow(/append-only/);
  });
});
