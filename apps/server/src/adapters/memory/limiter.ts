import type { AttemptLimiter, LimiterFactory, LimiterPolicy, Reservation } from '../../ports/limiter.ts';

interface Pair {
  count: number;
  /** No further attempt before this time. */
  blockedUntil: number;
  lastAt: number;
}
interface Window {
  start: number;
  count: number;
}

const MAX_KEYS = 200_000;

/** Attempt limits of one process, on the injected clock (see ports/limiter.ts for the contract). */
class MemoryAttemptLimiter implements AttemptLimiter {
  private readonly pairs = new Map<string, Pair>();
  /** account → the pair keys it has, so `clear` finds them. */
  private readonly pairsOf = new Map<string, Set<string>>();
  private readonly accounts = new Map<string, Window>();
  private readonly addresses = new Map<string, Window>();
  private prunedAt = -Infinity;

  constructor(
    private readonly p: LimiterPolicy,
    private readonly now: () => number,
  ) {}

  private window(map: Map<string, Window>, key: string, windowMs: number, t: number): Window {
    let w = map.get(key);
    if (!w || t - w.start >= windowMs) {
      w = { start: t, count: 0 };
      map.set(key, w);
    }
    return w;
  }

  reserve(account: string, address: string): Promise<Reservation> {
    const t = this.now();
    this.prune(t);
    const pairKey = `${account}\u0000${address}`;
    let pair = this.pairs.get(pairKey);
    if (pair && t - pair.lastAt >= this.p.pair.forgetAfterMs) {
      this.pairs.delete(pairKey);
      pair = undefined;
    }
    const refusals: { by: 'pair' | 'account' | 'address'; ms: number }[] = [];
    if (pair && t < pair.blockedUntil) refusals.push({ by: 'pair', ms: pair.blockedUntil - t });
    const acc = this.p.account && this.window(this.accounts, account, this.p.account.windowMs, t);
    if (acc && this.p.account && acc.count >= this.p.account.limit) refusals.push({ by: 'account', ms: acc.start + this.p.account.windowMs - t });
    const adr = this.p.address && this.window(this.addresses, address, this.p.address.windowMs, t);
    if (adr && this.p.address && adr.count >= this.p.address.limit) refusals.push({ by: 'address', ms: adr.start + this.p.address.windowMs - t });
    if (refusals.length) {
      const worst = refusals.reduce((a, b) => (b.ms > a.ms ? b : a));
      return Promise.resolve({ ok: false, retryAfterMs: Math.max(1, worst.ms), by: worst.by });
    }

    if (!pair) {
      pair = { count: 0, blockedUntil: 0, lastAt: t };
      this.pairs.set(pairKey, pair);
      let keys = this.pairsOf.get(account);
      if (!keys) this.pairsOf.set(account, (keys = new Set()));
      keys.add(pairKey);
    }
    pair.count += 1;
    pair.lastAt = t;
    const { free, delayMs, maxDelayMs } = this.p.pair;
    if (pair.count >= free) pair.blockedUntil = t + Math.min(maxDelayMs, delayMs * 2 ** Math.min(pair.count - free, 40));
    if (acc) acc.count += 1;
    if (adr) adr.count += 1;

    let released = false;
    return Promise.resolve({
      ok: true,
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        // Given back only to the windows it was counted in (a window that rolled over starts from zero).
        if (acc && this.accounts.get(account) === acc && acc.count > 0) acc.count -= 1;
        if (adr && this.addresses.get(address) === adr && adr.count > 0) adr.count -= 1;
        this.pairs.delete(pairKey);
        this.pairsOf.get(account)?.delete(pairKey);
        return Promise.resolve();
      },
    });
  }

  clear(account: string): Promise<void> {
    this.accounts.delete(account);
    for (const k of this.pairsOf.get(account) ?? []) this.pairs.delete(k);
    this.pairsOf.delete(account);
    return Promise.resolve();
  }

  /** Keeps memory bounded: drops what no longer limits anybody once the maps grow large. */
  private prune(t: number): void {
    if (this.pairs.size + this.accounts.size + this.addresses.size < MAX_KEYS || t - this.prunedAt < 1_000) return;
    this.prunedAt = t;
    for (const [k, pr] of this.pairs) {
      // Only what the policy forgets anyway: dropping a pair early would hand its guesser fresh tries.
      if (t - pr.lastAt >= this.p.pair.forgetAfterMs) {
        this.pairs.delete(k);
        this.pairsOf.get(k.slice(0, k.lastIndexOf('\u0000')))?.delete(k);
      }
    }
    for (const [account, keys] of this.pairsOf) if (keys.size === 0) this.pairsOf.delete(account);
    if (this.p.account) for (const [k, w] of this.accounts) if (t - w.start >= this.p.account.windowMs) this.accounts.delete(k);
    if (this.p.address) for (const [k, w] of this.addresses) if (t - w.start >= this.p.address.windowMs) this.addresses.delete(k);
  }
}

export class MemoryLimiters implements LimiterFactory {
  private readonly made = new Map<string, MemoryAttemptLimiter>();
  constructor(private readonly now: () => number) {}

  limiter(name: string, policy: LimiterPolicy): AttemptLimiter {
    let l = this.made.get(name);
    if (!l) this.made.set(name, (l = new MemoryAttemptLimiter(policy, this.now)));
    return l;
  }
}
