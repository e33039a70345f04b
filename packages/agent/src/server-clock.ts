/**
 * The server's clock as seen from here. Each exchange gives a sample: the server's time was
 * `serverTime` somewhere between sending (t0) and receiving (t1); we take the midpoint and keep
 * the sample with the smallest round trip among the recent ones (the least uncertain).
 */
export class ServerClock {
  private samples: { offset: number; rtt: number }[] = [];
  private best: { offset: number; rtt: number } | null = null;

  constructor(private readonly now: () => number, private readonly keep = 8) {}

  sample(t0: number, t1: number, serverTime: number): void {
    const rtt = Math.max(0, t1 - t0);
    const offset = serverTime - (t0 + t1) / 2;
    this.samples.push({ offset, rtt });
    if (this.samples.length > this.keep) this.samples.shift();
    this.best = this.samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
  }

  /** server clock minus local clock, ms (0 until the first sample) */
  get offsetMs(): number {
    return Math.round(this.best?.offset ?? 0);
  }

  /** The server's time now, estimated. */
  serverNow(): number {
    return this.now() + this.offsetMs;
  }

  /** Local epoch ms that corresponds to a server epoch ms. */
  toLocal(serverTime: number): number {
    return serverTime - this.offsetMs;
  }
}
