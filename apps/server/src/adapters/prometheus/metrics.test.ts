import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from './metrics.ts';

const metrics = () => new PrometheusMetrics({ sessionsByStatus: async () => ({}), sseSubscribers: () => 0 }, 'test');

/** The value of one sample line of the exposition text, 0 when the line is absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('Prometheus metrics', () => {
  it('request latency is counted per route group and status class, each label set apart', async () => {
    const m = metrics();
    m.request('heartbeat', 200, 0.001);
    m.request('heartbeat', 201, 0.001);
    m.request('heartbeat', 404, 0.001);
    m.request('heartbeat', 503, 0.001);
    m.request('answer_save', 200, 0.001);
    m.request('heartbeat', 200, 0.001);
    const text = await m.registry.metrics();
    const count = (route: string, status: string) => sample(text, 'invigil_request_duration_seconds_count', `route="${route}",status="${status}"`);
    expect(count('heartbeat', '2xx')).toBe(3);
    expect(count('heartbeat', '4xx')).toBe(1);
    expect(count('heartbeat', '5xx')).toBe(1);
    expect(count('answer_save', '2xx')).toBe(1);
    expect(count('answer_save', '4xx')).toBe(0);
    expect(text).toContain('invigil_instance="test"');
  });

  it('heartbeats are counted by result', async () => {
    const m = metrics();
    m.heartbeat('valid');
    m.heartbeat('valid');
    m.heartbeat('refused');
    const text = await m.registry.metrics();
    expect(sample(text, 'invigil_heartbeats_total', 'result="valid"')).toBe(2);
    expect(sample(text, 'invigil_heartbeats_total', 'result="refused"')).toBe(1);
  });
});
