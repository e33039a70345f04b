import { Client } from 'undici';

/** One histogram as scraped: cumulative bucket counts by upper bound (seconds), sum and count. */
export interface Histogram {
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

/** Prometheus text format: each sample line's value by metric name (labels dropped but `le`). */
export interface Scrape {
  value(name: string): number;
  histogram(name: string): Histogram;
}

export function parseMetrics(text: string): Scrape {
  const samples = new Map<string, number>();
  const buckets = new Map<string, { le: number; count: number }[]>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, name, labels = '', raw] = m;
    const v = Number(raw);
    if (name!.endsWith('_bucket')) {
      const le = /le="([^"]+)"/.exec(labels)?.[1];
      if (le === undefined) continue;
      const list = buckets.get(name!) ?? [];
      list.push({ le: le === '+Inf' ? Infinity : Number(le), count: v });
      buckets.set(name!, list);
    } else {
      samples.set(name!, (samples.get(name!) ?? 0) + v);
    }
  }
  return {
    value: (name) => samples.get(name) ?? 0,
    histogram: (name) => ({
      buckets: [...(buckets.get(`${name}_bucket`) ?? [])].sort((a, b) => a.le - b.le),
      sum: samples.get(`${name}_sum`) ?? 0,
      count: samples.get(`${name}_count`) ?? 0,
    }),
  };
}

/** What was observed between two scrapes of the same histogram. */
export function histogramDelta(before: Histogram, after: Histogram): Histogram {
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (before.buckets.find((x) => x.le === b.le)?.count ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/** Observations at or below `le` (an upper bound the histogram has). */
export function countAtMost(h: Histogram, le: number): number {
  return h.buckets.find((b) => b.le === le)?.count ?? NaN;
}

/**
 * The upper bound of the bucket that holds the q-quantile (0..1) of the observations at or below `le`:
 * "the median pass took at most this long", at the resolution the histogram has.
 */
export function quantileBound(h: Histogram, q: number, le = Infinity): number {
  const within = h.buckets.filter((b) => b.le <= le);
  const total = within.length ? within[within.length - 1]!.count : 0;
  if (total === 0) return NaN;
  return within.find((b) => b.count >= q * total)!.le;
}

/**
 * Scrapes GET /metrics over one kept-alive connection of its own (opened once), so scraping adds at
 * most one to the server's count of accepted connections however often it runs.
 */
export class MetricsScraper {
  private readonly client: Client;
  constructor(origin: string) {
    this.client = new Client(origin, { pipelining: 1, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
  }
  async scrape(): Promise<Scrape> {
    const res = await this.client.request({ method: 'GET', path: '/metrics' });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET /metrics: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    return parseMetrics(text);
  }
  close(): Promise<void> {
    return this.client.close();
  }
}
