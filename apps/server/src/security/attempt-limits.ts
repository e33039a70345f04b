import type { LimiterPolicy } from '../ports/limiter.ts';

/**
 * How many guesses at each secret the server evaluates (README "Rate limits"). Attempts are
 * reserved before the check, so these hold whatever the concurrency; successes never count.
 *
 * Per (account, address): 5 tries at once, then 1 s, 2 s, 4 s … up to 15 min between tries;
 * forgotten after an hour without a try, and cleared by a success or by staff.
 * Per account (every address): 100 failures an hour — only a many-address brute force gets there.
 * Per address (every account): 3,000 attempts per 10 minutes (failures and attempts in flight) — a
 * hall of 1,000 seats behind one NAT address where every candidate mistypes twice before getting
 * in stays under it.
 */
const MINUTE = 60_000;
const PAIR = { free: 5, delayMs: 1_000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE };
const ACCOUNT = { limit: 100, windowMs: 60 * MINUTE };
const HALL = { limit: 3_000, windowMs: 10 * MINUTE };

/** Staff passwords (login and the password-change route share one count per account). */
export const STAFF_PASSWORD_LIMITS: LimiterPolicy = { pair: PAIR, account: ACCOUNT, address: HALL };
/** Candidate access codes, per (exam, candidate id). */
export const ACCESS_CODE_LIMITS: LimiterPolicy = { pair: PAIR, account: ACCOUNT, address: HALL };
/**
 * Recovery tokens, per attempt (the session itself also locks after MAX_RECOVERY_ATTEMPTS wrong
 * tokens, counted under its row lock).
 */
export const RECOVERY_TOKEN_LIMITS: LimiterPolicy = { pair: { ...PAIR, free: 10 }, account: { limit: 30, windowMs: 10 * MINUTE }, address: HALL };
/**
 * Resume codes, per candidate (a code also dies after five wrong tries, counted under the session's
 * row lock: the pair allows a little more, so what a candidate sees after five is the dead code).
 */
export const RESUME_CODE_LIMITS: LimiterPolicy = { pair: { ...PAIR, free: 10 }, account: { limit: 20, windowMs: 10 * MINUTE }, address: HALL };
