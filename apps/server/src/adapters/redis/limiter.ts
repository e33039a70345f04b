import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AttemptLimiter, LimiterFactory, LimiterPolicy, Reservation } from '../../ports/limiter.ts';
import { MemoryLimiters } from '../memory/limiter.ts';
import { script, type Keys, type Script } from './connection.ts';

// KEYS: pair hash, account window, address window, the account's set of pair keys.
// ARGV: now, free, delayMs, maxDelayMs, forgetAfterMs, accountLimit (-1: none), accountWindowMs,
// addressLimit (-1: none), addressWindowMs. One script: the check and the count are atomic
// against every other instance. Answers {1, accountStart, addressStart} or {0, retryAfterMs, by}.
const RESERVE = `
local t = tonumber(ARGV[1])
local free, delay, maxDelay, forget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local accLimit, accWin, adrLimit, adrWin = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local pc = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
local pb = tonumber(redis.call('HGET', KEYS[1], 'b') or '0')
local pl = tonumber(redis.call('HGET', KEYS[1], 'l') or '-1')
if pl >= 0 and t - pl >= forget then pc = 0 pb = 0 pl = -1 end
local refused, worst, by = false, 0, ''
local function refuse(ms, who)
  refused = true
  if ms > worst then worst = ms by = who end
end
if pl >= 0 and t < pb then refuse(pb - t, 'pair') end
local as, ac = -1, 0
if accLimit >= 0 then
  as = tonumber(redis.call('HGET', KEYS[2], 's') or '-1')
  ac = tonumber(redis.call('HGET', KEYS[2], 'c') or '0')
  if as < 0 or t - as >= accWin then as = t ac = 0 end
  if ac >= accLimit then refuse(as + accWin - t, 'account') end
end
local ds, dc = -1, 0
if adrLimit >= 0 then
  ds = tonumber(redis.call('HGET', KEYS[3], 's') or '-1')
  dc = tonumber(redis.call('HGET', KEYS[3], 'c') or '0')
  if ds < 0 or t - ds >= adrWin then ds = t dc = 0 end
  if dc >= adrLimit then refuse(ds + adrWin - t, 'address') end
end
if refused then
  if worst < 1 then worst = 1 end
  return {0, worst, by}
end
pc = pc + 1
if pc >= free then
  local d = delay * math.pow(2, math.min(pc - free, 40))
  if d > maxDelay then d = maxDelay end
  pb = t + d
end
redis.call('HSET', KEYS[1], 'c', pc, 'b', pb, 'l', t)
redis.call('PEXPIRE', KEYS[1], forget)
redis.call('SADD', KEYS[4], KEYS[1])
redis.call('PEXPIRE', KEYS[4], forget)
if accLimit >= 0 then
  redis.call('HSET', KEYS[2], 's', as, 'c', ac + 1)
  redis.call('PEXPIRE', KEYS[2], accWin)
end
if adrLimit >= 0 then
  redis.call('HSET', KEYS[3], 's', ds, 'c', dc + 1)
  redis.call('PEXPIRE', KEYS[3], adrWin)
end
return {1, as, ds}`;

// KEYS: as RESERVE. ARGV: the account and address window starts the reservation was counted in.
const RELEASE = `
if tonumber(ARGV[1]) >= 0 and redis.call('HGET', KEYS[2], 's') == ARGV[1] and tonumber(redis.call('HGET', KEYS[2], 'c') or '0') > 0 then redis.call('HINCRBY', KEYS[2], 'c', -1) end
if tonumber(ARGV[2]) >= 0 and redis.call('HGET', KEYS[3], 's') == ARGV[2] and tonumber(redis.call('HGET', KEYS[3], 'c') or '0') > 0 then redis.call('HINCRBY', KEYS[3], 'c', -1) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], KEYS[1])
return 1`;

// KEYS: the account window, the account's set of pair keys.
const CLEAR = `
for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('DEL', k) end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;

class RedisAttemptLimiter implements AttemptLimiter {
  private readonly reserveScript: Script<[number, number | string, string | number]>;
  private readonly releaseScript: Script<unknown>;
  private readonly clearScript: Script<unknown>;

  constructor(
    redis: Redis,
    private readonly key: (...parts: string[]) => string,
    private readonly p: LimiterPolicy,
    private readonly now: () => number,
    /** Counts in this process while Redis cannot be reached (the insurance): limits still hold. */
    private readonly insurance: AttemptLimiter,
    private readonly log: Pick<Logger, 'warn'>,
  ) {
    this.reserveScript = script(redis, 'invigilLimiterReserve', RESERVE);
    this.releaseScript = script(redis, 'invigilLimiterRelease', RELEASE);
    this.clearScript = script(redis, 'invigilLimiterClear', CLEAR);
  }

  private keysFor(account: string, address: string): string[] {
    return [this.key('pair', account, address), this.key('account', account), this.key('address', address), this.key('pairs-of', account)];
  }

  async reserve(account: string, address: string): Promise<Reservation> {
    const keys = this.keysFor(account, address);
    let r: [number, number | string, string | number];
    try {
      r = await this.reserveScript(
        4,
        ...keys,
        this.now(),
        this.p.pair.free,
        this.p.pair.delayMs,
        this.p.pair.maxDelayMs,
        this.p.pair.forgetAfterMs,
        this.p.account?.limit ?? -1,
        this.p.account?.windowMs ?? 0,
        this.p.address?.limit ?? -1,
        this.p.address?.windowMs ?? 0,
      );
    } catch (err) {
      this.log.warn({ err, what: 'limiter-reserve' }, 'Redis unavailable: attempt limits fall back to this process');
      return this.insurance.reserve(account, address);
    }
    if (Number(r[0]) !== 1) return { ok: false, retryAfterMs: Math.max(1, Number(r[1])), by: String(r[2]) as 'pair' | 'account' | 'address' };
    const [accountStart, addressStart] = [String(r[1]), String(r[2])];
    let released = false;
    return {
      ok: true,
      release: async () => {
        if (released) return;
        released = true;
        await this.releaseScript(4, ...keys, accountStart, addressStart).catch((err: unknown) => this.log.warn({ err, what: 'limiter-release' }, 'Redis unavailable: a success could not give its attempt back'));
      },
    };
  }

  async clear(account: string): Promise<void> {
    await this.insurance.clear(account);
    await this.clearScript(2, this.key('account', account), this.key('pairs-of', account));
  }
}

/** Attempt limits shared by every instance, with an in-process insurance limiter while Redis is down. */
export class RedisLimiters implements LimiterFactory {
  private readonly insurance: MemoryLimiters;
  private readonly made = new Map<string, RedisAttemptLimiter>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly now: () => number,
    private readonly log: Pick<Logger, 'warn'>,
  ) {
    this.insurance = new MemoryLimiters(now);
  }

  limiter(name: string, policy: LimiterPolicy): AttemptLimiter {
    let l = this.made.get(name);
    if (!l) {
      // Accounts and addresses may hold ':' (IPv6): each part is encoded, so two pairs never share a key.
      const key = (...parts: string[]) => this.keys.k('limit', name, ...parts.map(encodeURIComponent));
      l = new RedisAttemptLimiter(this.redis, key, policy, this.now, this.insurance.limiter(name, policy), this.log);
      this.made.set(name, l);
    }
    return l;
  }
}
