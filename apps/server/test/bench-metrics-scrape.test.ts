import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../src/adapters/prometheus/metrics.ts';
import { countAtMost, histogramDelta, parseMetrics, quantileBound } from '../bench/metrics-scrape.ts';

// `pnpm bench --live-sessions` reads the sweeper's pass times and the accepted connections from the
// server's /metrics text; here that text comes from the server's own Prometheus adapter.
const metrics = () => new PrometheusMetrics({ sessionsByStatus: async () => ({ active: 3 }), sseSubscribers: () => 0 }, 'bench-test');

describe('the bench reads the server metrics it reports', () => {
  it('sweep passes between two scrapes: count, the ones at most 1 ms, and the bucket of the median', async () => {
    const m = metrics();
    m.sweepPass(0.8); // a full scan before the window
    const before = parseMetrics(await m.registry.metrics()).histogram('invigil_sweep_duration_seconds');
    for (const s of [0.00005, 0.00005, 0.00008, 0.0002, 0.0009, 0.7]) m.sweepPass(s);
    const after = parseMetrics(await m.registry.metrics()).histogram('invigil_sweep_duration_seconds');
    const d = histogramDelta(before, after);
    expect(d.count).toBe(6);
    expect(d.sum).toBeCloseTo(0.70128, 6);
    expect(countAtMost(d, 0.001)).toBe(5);
    expect(countAtMost(d, 0.05)).toBe(5);
    expect(quantileBound(d, 0.5, 0.05)).toBe(0.0001);
    expect(quantileBound(d, 0.99, 0.05)).toBe(0.001);
    expect(quantileBound(d, 0.99)).toBe(1);
  });

  it('a histogram of one label set among several', async () => {
    const m = metrics();
    m.request('heartbeat', 200, 0.002);
    m.request('heartbeat', 200, 0.02);
    m.request('answer_save', 200, 0.2);
    const h = parseMetrics(await m.registry.metrics()).histogram('invigil_request_duration_seconds', 'route="heartbeat"');
    expect(h.count).toBe(2);
    expect(countAtMost(h, 0.0025)).toBe(1);
    expect(quantileBound(h, 0.99)).toBe(0.025);
    expect(parseMetrics(await m.registry.metrics()).histogram('invigil_request_duration_seconds').count).toBe(3);
  });

  it('a counter with the instance label', async () => {
    const m = metrics();
    for (let i = 0; i < 4; i++) m.connectionOpened();
    expect(parseMetrics(await m.registry.metrics()).value('invigil_connections_opened_total')).toBe(4);
  });
});
