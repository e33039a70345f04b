/**
 * Tells every process that a cached thing changed (an exam edited), so no process keeps serving
 * the old copy. Memory on one process; Redis pub/sub across many.
 */
export interface Invalidations {
  publish(topic: 'exam', id: string): Promise<void>;
  subscribe(topic: 'exam', listener: (id: string) => void): () => void;
}
