/**
 * Tells every process that something it may hold changed, so no process keeps acting on the old
 * copy. Memory on one process; Redis pub/sub across many.
 * - `exam` (id = exam id): an exam was edited: drop the cached copy.
 * - `login` (id = user id): a user's logins were revoked or their access changed (disabled, role,
 *   assignments): open live streams of that user check their login again at once.
 */
export type InvalidationTopic = 'exam' | 'login';

export interface Invalidations {
  publish(topic: InvalidationTopic, id: string): Promise<void>;
  subscribe(topic: InvalidationTopic, listener: (id: string) => void): () => void;
}
