/**
 * Limits guesses at secrets (staff passwords, access codes, recovery tokens, resume codes). An
 * attempt is *reserved before* the slow or decisive check and counts from that moment, so attempts
 * in flight count like failures: however many arrive at once, no more are evaluated than one
 * caller trying one after another would get. A success gives its reservation back (successes
 * never count); a reservation that is never released is a failure.
 *
 * Three counts decide, each kept per limiter `name` (counts of different names never mix):
 *  - per (account, address): `pair.free` attempts, then each further one must wait after the
 *    previous one: `pair.delayMs`, doubling with every attempt, at most `pair.maxDelayMs`. The pair
 *    is forgotten `pair.forgetAfterMs` after its last attempt, and cleared by a success. So a
 *    stranger guessing somebody's password slows down only themselves.
 *  - per account, every address together: at most `account.limit` attempts per fixed window of
 *    `account.windowMs` (starting with its first attempt): a ceiling against brute force from many
 *    addresses, set high enough that only such an attack reaches it.
 *  - per address, every account together: at most `address.limit` per fixed window of
 *    `address.windowMs` (a guesser spraying many accounts); sized for a full exam hall behind one
 *    NAT address.
 *
 * Memory on one process; Redis so that every instance shares the counts (the lead's adapter).
 * Time is the injected clock's. Adapters pass `adapters/shared-state.suite.ts` ("attempt limiters").
 */
export interface LimiterPolicy {
  pair: { free: number; delayMs: number; maxDelayMs: number; forgetAfterMs: number };
  account?: { limit: number; windowMs: number };
  address?: { limit: number; windowMs: number };
}

/**
 * The answer to `reserve`. Granted: the attempt is counted on all three counts; call `release()`
 * once the secret proved right (gives the attempt back to the account and address windows it was
 * counted in, and clears the pair). Refused: nothing was counted; `retryAfterMs` (≥ 1) is when the
 * longest of the refusing counts lets the same (account, address) try again.
 */
export type Reservation = { ok: true; release(): Promise<void> } | { ok: false; retryAfterMs: number; by: 'pair' | 'account' | 'address' };

export interface AttemptLimiter {
  /**
   * Atomically: refused if the pair must still wait, the account's window is full or the address's
   * window is full (in-flight reservations included); otherwise counts one attempt on each (a pair
   * at `free` or beyond starts its next wait from now).
   */
  reserve(account: string, address: string): Promise<Reservation>;
  /** Forgets the account's counts: its account window and its pairs with every address (staff lifting a throttle). */
  clear(account: string): Promise<void>;
}

export interface LimiterFactory {
  /** The limiter named `name` with this policy (the same name must always come with the same policy). */
  limiter(name: string, policy: LimiterPolicy): AttemptLimiter;
}
