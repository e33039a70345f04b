import { describe, expect, it } from 'vitest';
import { blockReason, decideStart, mayActivate, type CandidateSessionSummary } from './policies.ts';

const MAX_PAUSED = 2;

function code(sessions: CandidateSessionSummary[], examId: string, maxPaused = MAX_PAUSED): string {
  const d = decideStart(sessions, examId, maxPaused);
  return d.ok ? 'ok' : d.code;
}

describe('decideStart', () => {
  it('allows a first start', () => {
    expect(code([], 'math')).toBe('ok');
  });

  it('refuses while any session is active, whatever the exam', () => {
    expect(code([{ examId: 'math', status: 'active' }], 'math')).toBe('ACTIVE_SESSION_EXISTS');
    expect(code([{ examId: 'math', status: 'active' }], 'physics')).toBe('ACTIVE_SESSION_EXISTS');
  });

  it('sends a candidate with a paused session on the same exam to resume it', () => {
    expect(code([{ examId: 'math', status: 'paused' }], 'math')).toBe('PAUSED_SESSION_EXISTS');
    // ...even when the paused limit is also reached: resuming is the useful answer.
    expect(code([{ examId: 'math', status: 'paused' }], 'math', 1)).toBe('PAUSED_SESSION_EXISTS');
  });

  it.each(['completed', 'expired', 'terminated'] as const)('refuses a second attempt at an exam whose attempt is %s', (status) => {
    expect(code([{ examId: 'math', status }], 'math')).toBe('ATTEMPT_FINISHED');
    expect(code([{ examId: 'math', status }], 'physics')).toBe('ok');
  });

  it('refuses a new exam when too many sessions are paused', () => {
    const two = [
      { examId: 'math', status: 'paused' as const },
      { examId: 'physics', status: 'paused' as const },
    ];
    expect(code(two, 'chemistry')).toBe('TOO_MANY_PAUSED_SESSIONS');
    expect(code(two.slice(0, 1), 'chemistry')).toBe('ok');
  });

  it('does not count finished sessions against the paused limit', () => {
    const sessions = [
      { examId: 'math', status: 'completed' as const },
      { examId: 'physics', status: 'expired' as const },
      { examId: 'biology', status: 'paused' as const },
    ];
    expect(code(sessions, 'chemistry')).toBe('ok');
  });
});

describe('mayActivate', () => {
  it('allows activation only when no other session is active', () => {
    expect(mayActivate([])).toBe(true);
    expect(mayActivate([{ status: 'paused' }, { status: 'completed' }])).toBe(true);
    expect(mayActivate([{ status: 'paused' }, { status: 'active' }])).toBe(false);
  });
});

describe('blockReason', () => {
  it('explains why no exam can be started, or says nothing', () => {
    expect(blockReason([], MAX_PAUSED)).toBeUndefined();
    expect(blockReason([{ status: 'active' }], MAX_PAUSED)).toBe('You have an active exam session');
    expect(blockReason([{ status: 'paused' }, { status: 'paused' }], MAX_PAUSED)).toBe('You have too many paused sessions');
    expect(blockReason([{ status: 'paused' }, { status: 'completed' }], MAX_PAUSED)).toBeUndefined();
  });
});
