/**
 * What the server counts for operators (GET /metrics, per instance). Services report through this
 * port; the Prometheus adapter turns it into metrics, the null one ignores it (tests, tools).
 */
export interface Metrics {
  heartbeat(result: 'valid' | 'refused'): void;
  answerSave(outcome: 'applied' | 'stale' | 'refused'): void;
  alert(kind: string): void;
  failedLogin(kind: 'staff' | 'candidate' | 'recovery' | 'resume_code'): void;
  storageError(store: 'database' | 'redis'): void;
  /** Time spent answering one request, by the route's group. */
  request(group: string, status: number, seconds: number): void;
  /** One pass of the sweeper, and how long it took. */
  sweepPass(seconds: number): void;
  /** A TCP connection was accepted (kiosks should hold one, not open one per heartbeat). */
  connectionOpened(): void;
}

export const noMetrics: Metrics = {
  heartbeat: () => undefined,
  answerSave: () => undefined,
  alert: () => undefined,
  failedLogin: () => undefined,
  storageError: () => undefined,
  request: () => undefined,
  sweepPass: () => undefined,
  connectionOpened: () => undefined,
};
