import { Client } from 'undici';

/** One histogram as scraped: cumulative bucket counts by upper bound (seconds), sum and count. */
export interface Histogram {
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

/** Prometheus text format: values by metric name, summed over label sets (or those whose labels contain `where`). */
export interface Scrape {
  value(name: string, where?: string): number;
  histogram(name: string, where?: string): Histogram;
}

export function parseMetrics(text: string): Scrape {
  const samples: { name: string; labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) samples.push({ name: m[1]!, labels: m[2] ?? '', value: Number(m[3]) });
  }
  const value = (name: string, where = '') => samples.filter((x) => x.name === name && x.labels.includes(where)).reduce((a, x) => a + x.value, 0);
  return {
    value,
    histogram: (name, where = '') => {
      const byLe = new Map<number, number>();
      for (const x of samples) {
        if (x.name !== `${name}_bucket` || !x.labels.includes(where)) continue;
        const le = /le="([^"]+)"/.exec(x.labels)?.[1];
        if (le === undefined) continue;
        const bound = le === '+Inf' ? Infinity : Number(le);
        byLe.set(bound, (byLe.get(bound) ?? 0) + x.value);
      }
      return {
        buckets: [...byLe].map(([le, count]) => ({ le, count })).sort((p, q) => p.le - q.le),
        sum: value(`${name}_sum`, where),
        count: value(`${name}_count`, where),
      };
    },
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
