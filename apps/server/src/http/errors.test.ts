import { describe, expect, it } from 'vitest';
import { conflict, notFound, RateLimitedError, StorageUnavailable, UniqueViolation } from '../ports/errors.ts';
import { httpAnswer } from './errors.ts';

describe('domain errors become HTTP answers in one place', () => {
  it('maps each kind to its status, with Retry-After where waiting helps', () => {
    expect(httpAnswer(notFound('no such thing'))).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such thing' } } });
    expect(httpAnswer(conflict('EXAM_CLOSED', 'closed'))?.status).toBe(409);
    expect(httpAnswer(new RateLimitedError(7))).toMatchObject({ status: 429, headers: { 'Retry-After': '7' } });
    expect(httpAnswer(new StorageUnavailable())).toMatchObject({ status: 503, body: { error: { code: 'STORAGE_UNAVAILABLE' } } });
    expect(httpAnswer(new Error('a bug'))).toBeUndefined();
  });

  it('a unique constraint a service did not translate (a lost race) is a 409 naming what is taken, never a 500', () => {
    expect(httpAnswer(new UniqueViolation('center_name'))).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT', message: 'a center with that name already exists' } } });
    expect(httpAnswer(new UniqueViolation('one_active_session_per_candidate'))?.body.error.code).toBe('ACTIVE_SESSION_EXISTS');
    expect(httpAnswer(new UniqueViolation('seat'))?.status).toBe(409);
  });
});
