import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../../ports/metrics.ts';

// Label sets made once (prom-client only reads them).
const VALID = { result: 'valid' };
const REFUSED = { result: 'refused' };

export interface Gauges {
  /** Exam sessions by status, read when scraped. */
  sessionsByStatus(): Promise<Record<string, number>>;
  sseSubscribers(): number;
}

/**
 * Prometheus metrics of one instance (prom-client, its own registry): heartbeats and answer saves
 * with latency histograms, sessions by status, alerts by kind, SSE subscribers, failed logins,
 * database and Redis errors, and Node's process metrics. A Grafana board of a cluster sums them.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly heartbeats;
  private readonly saves;
  private readonly alerts;
  private readonly logins;
  private readonly storage;
  private readonly latency;
  private readonly sweeps;
  private readonly connections;

  constructor(gauges: Gauges, instance: string) {
    const r = this.registry;
    r.setDefaultLabels({ invigil_instance: instance });
    collectDefaultMetrics({ register: r });
    this.heartbeats = new Counter({ name: 'invigil_heartbeats_total', help: 'Heartbeats answered, by result', labelNames: ['result'], registers: [r] });
    this.saves = new Counter({ name: 'invigil_answer_saves_total', help: 'Answer saves, by outcome', labelNames: ['outcome'], registers: [r] });
    this.alerts = new Counter({ name: 'invigil_alerts_total', help: 'Alerts raised, by kind', labelNames: ['kind'], registers: [r] });
    this.logins = new Counter({ name: 'invigil_failed_logins_total', help: 'Failed sign-ins and secret checks, by kind', labelNames: ['kind'], registers: [r] });
    this.storage = new Counter({ name: 'invigil_storage_errors_total', help: 'Requests that failed because a store was unreachable', labelNames: ['store'], registers: [r] });
    this.latency = new Histogram({
      name: 'invigil_request_duration_seconds',
      help: 'Time to answer a request, by route group and status class',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    this.sweeps = new Histogram({
      name: 'invigil_sweep_duration_seconds',
      help: 'Time one sweeper pass took (auto-pause, time up, expiry)',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [r],
    });
    this.connections = new Counter({ name: 'invigil_connections_opened_total', help: 'TCP connections accepted', registers: [r] });
    new Gauge({
      name: 'invigil_exam_sessions',
      help: 'Exam sessions by status (the whole deployment, as this instance reads it)',
      labelNames: ['status'],
      registers: [r],
      async collect() {
        const counts = await gauges.sessionsByStatus();
        for (const status of ['active', 'paused', 'completed', 'expired', 'terminated']) this.set({ status }, counts[status] ?? 0);
      },
    });
    new Gauge({
      name: 'invigil_sse_subscribers',
      help: 'Open live-event streams on this instance',
      registers: [r],
      collect() {
        this.set(gauges.sseSubscribers());
      },
    });
  }

  heartbeat(result: 'valid' | 'refused'): void {
    this.heartbeats.inc(result === 'valid' ? VALID : REFUSED);
  }
  answerSave(outcome: 'applied' | 'stale' | 'refused'): void {
    this.saves.inc({ outcome });
  }
  alert(kind: string): void {
    this.alerts.inc({ kind });
  }
  failedLogin(kind: 'staff' | 'candidate' | 'recovery' | 'resume_code'): void {
    this.logins.inc({ kind });
  }
  storageError(store: 'database' | 'redis'): void {
    this.storage.inc({ store });
  }
  sweepPass(seconds: number): void {
    this.sweeps.observe(seconds);
  }
  connectionOpened(): void {
    this.connections.inc();
  }
  request(group: string, status: number, seconds: number): void {
    this.latency.observe(this.requestLabels(group, status), seconds);
  }

  /** The label set of each route group and status class (1xx…5xx), made once instead of once per request. */
  private readonly labelSets = new Map<string, { route: string; status: string }[]>();
  private requestLabels(route: string, status: number): { route: string; status: string } {
    const cls = Math.floor(status / 100);
    let byClass = this.labelSets.get(route);
    if (!byClass) {
      if (this.labelSets.size >= 1000) this.labelSets.clear();
      this.labelSets.set(route, (byClass = []));
    }
    return (byClass[cls] ??= { route, status: `${cls}xx` });
  }
}
