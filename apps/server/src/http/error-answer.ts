import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { Metrics } from '../ports/metrics.ts';
import { envelope, httpAnswer } from './errors.ts';
import type { Health } from './health.ts';
import { storageFailure } from './storage-failure.ts';

export interface ErrorAnswer {
  status: number;
  body: ReturnType<typeof envelope>;
  headers: Record<string, string>;
}

/**
 * How any error thrown while answering a request is answered: domain and HTTP errors by their
 * kind, the store being down as 503 STORAGE_UNAVAILABLE (counted, and told to /healthz), anything
 * else as a logged 500 that says nothing was changed. One function for both ways a request is
 * served (Hono, and the fast lane of the two hot routes), so both answer alike.
 */
export function errorAnswerer(d: { metrics: Metrics; log: Logger; health?: Health }) {
  return (err: unknown, method: string, path: string): ErrorAnswer => {
    const answer = httpAnswer(err);
    if (answer) return answer;
    const store = storageFailure(err);
    if (store) {
      d.metrics.storageError(store);
      d.health?.storageFailed(store, err instanceof Error ? err.message : String(err));
      d.log.warn({ err, store, path }, `${store === 'redis' ? 'Redis' : 'the database'} is unavailable: answering 503 STORAGE_UNAVAILABLE`);
      return { status: 503, body: envelope('STORAGE_UNAVAILABLE', `the ${store === 'redis' ? 'shared state (Redis)' : 'database'} is unavailable; nothing was changed, try again shortly`), headers: { 'Retry-After': '2' } };
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      return { status, body: envelope(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', err.message || 'bad request'), headers: {} };
    }
    d.log.error({ err, path, method }, 'unhandled error');
    return { status: 500, body: envelope('INTERNAL', 'something went wrong on our side; nothing was changed'), headers: {} };
  };
}
