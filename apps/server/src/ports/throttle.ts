/**
 * "At most once per window" for repeated alerts of one kind for one attempt (a misbehaving kiosk
 * beats every few seconds), shared by every process.
 */
export interface Throttle {
  /** True the first time for `key` within `windowMs` of `now` (and starts the window). */
  take(key: string, windowMs: number, now: number): Promise<boolean>;
}
