/** A live event for staff (the console's room view and alerts feed), scoped to a center/room. */
export interface LiveEvent {
  type: string;
  at: number;
  attemptId?: string | null;
  candidateId?: string | null;
  examId?: string | null;
  centerId?: string | null;
  roomId?: string | null;
  data?: Record<string, unknown>;
}

export type Listener = (e: LiveEvent) => void;

/** In-process publish/subscribe; Redis pub/sub can implement the same shape when scaled out. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  publish(e: LiveEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a broken subscriber never breaks the publisher */
      }
    }
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get size(): number {
    return this.listeners.size;
  }
}
