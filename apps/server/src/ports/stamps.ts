/**
 * Version stamps of rows that processes hold copies of (the read cache across processes, with
 * REDIS_URL). Whoever changes a row changes its stamp; a copy is served only while the stamp it was
 * read under is still the current one.
 *
 * - `read` answers the current stamp of each key; a missing one (never written, expired, or lost
 *   with Redis's data) is created at once, so it differs from every stamp a copy was taken under.
 * - `writing` is called inside a unit of work just before it commits: the keys then carry a
 *   "being written" stamp (see `isWriting`) under which nothing may be cached. It expires by
 *   itself, so a process that died between commit and `bump` leaves nothing behind for long.
 * - `bump` is called once the unit of work has ended (committed or rolled back): new stamps.
 *
 * A copy read under a stamp S is the row as committed no earlier than S was read: a change that
 * commits later replaces S before its request is answered.
 */
export interface Stamps {
  read(keys: readonly string[]): Promise<string[]>;
  writing(keys: readonly string[]): Promise<void>;
  bump(keys: readonly string[]): Promise<void>;
  /** Called when this process may have missed changes (its connection to the stamps was lost): drop every copy. */
  onLost(listener: () => void): void;
}

/** The prefix of a stamp that says a change is under way. */
export const WRITING = 'w:';
export const isWriting = (stamp: string): boolean => stamp.startsWith(WRITING);

/** What a copy held in memory was read under: the presence port can check it in the same step as a seq. */
export interface CopyCheck {
  key: string;
  stamp: string;
}
