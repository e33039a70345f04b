import type { LiveEvent } from '@invigil/contract';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LiveEvents } from '../../ports/live-events.ts';
import type { Keys } from './connection.ts';

type Listener = (e: LiveEvent, id: string) => void;

interface Sub {
  fn: Listener;
  /** The last id delivered (dedupes the seam between replay and live). */
  last: string | null;
  /** Live events held back while the replay of missed ones is read. */
  held: [string, LiveEvent][] | null;
}

/** Stream ids are "ms-seq": compared as two numbers. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am! - bm! || as! - bs!;
}

const STREAM_ID = /^\d+-\d+$/;

/**
 * Live events on a Redis Stream: every instance publishes with XADD (capped, about `maxLen`
 * entries) and reads with a blocking XREAD on a connection of its own, fanning each entry out to
 * its SSE subscribers. The SSE `id:` is the stream id, so a console that reconnects (to any
 * instance) with `Last-Event-ID` is first sent what it missed, as far as the stream still holds it.
 */
export class RedisLiveEvents implements LiveEvents {
  private readonly subs = new Set<Sub>();
  private reading: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly cmd: Redis,
    private readonly reader: Redis,
    private readonly keys: Keys,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly maxLen = 10_000,
  ) {}

  private get stream(): string {
    return this.keys.k('events');
  }

  async publish(e: LiveEvent): Promise<void> {
    await this.cmd.xadd(this.stream, 'MAXLEN', '~', this.maxLen, '*', 'e', JSON.stringify(e));
  }

  async subscribe(listener: Listener, opts: { afterId?: string } = {}): Promise<() => void> {
    const sub: Sub = { fn: listener, last: null, held: opts.afterId && STREAM_ID.test(opts.afterId) ? [] : null };
    this.subs.add(sub);
    await this.startReading();
    if (sub.held) {
      try {
        const missed = (await this.cmd.xrange(this.stream, `(${opts.afterId}`, '+')) as [string, string[]][];
        for (const [id, fields] of missed) this.deliver(sub, id, parse(fields));
      } catch (err) {
        this.log.warn({ err }, 'could not replay missed live events');
      }
      const held = sub.held;
      sub.held = null;
      for (const [id, e] of held) this.deliver(sub, id, e);
    }
    return () => this.subs.delete(sub);
  }

  private deliver(sub: Sub, id: string, e: LiveEvent | null): void {
    if (!e || (sub.last !== null && compareStreamIds(id, sub.last) <= 0)) return;
    sub.last = id;
    try {
      sub.fn(e, id);
    } catch {
      /* a broken subscriber never breaks the others */
    }
  }

  /**
   * One reader per process, from the stream's end at the time it starts: its last entry's id, or
   * 0-0 when it is empty. Never "$" while Redis answers: that means "from when the XREAD arrives",
   * and an event published on the command connection just after a subscribe can get there first
   * (it was then lost to this process until the next one).
   */
  private async startReading(): Promise<void> {
    if (this.reading) return;
    let from = '$';
    try {
      const last = (await this.cmd.xrevrange(this.stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
      from = last[0] ? last[0][0] : '0-0';
    } catch {
      /* Redis is not answering: read from "now" */
    }
    this.reading = this.loop(from);
  }

  private async loop(from: string): Promise<void> {
    let last = from;
    while (!this.closed) {
      try {
        const res = (await this.reader.xread('COUNT', 500, 'BLOCK', 5_000, 'STREAMS', this.stream, last)) as [string, [string, string[]][]][] | null;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const e = parse(fields);
            for (const sub of this.subs) {
              if (sub.held) sub.held.push([id, e!]);
              else this.deliver(sub, id, e);
            }
          }
        }
      } catch (err) {
        if (this.closed) return;
        this.log.warn({ err }, 'live-event stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  get localSubscribers(): number {
    return this.subs.size;
  }

  /** Subscribers may sit on any instance: always worth publishing. */
  mayHaveSubscribers(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subs.clear();
    this.reader.disconnect();
  }
}

function parse(fields: string[]): LiveEvent | null {
  const i = fields.indexOf('e');
  try {
    return i >= 0 ? (JSON.parse(fields[i + 1]!) as LiveEvent) : null;
  } catch {
    return null;
  }
}
