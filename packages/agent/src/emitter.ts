/** A minimal typed listener list; a throwing listener never breaks the agent or other listeners. */
export class Listeners<T> {
  private readonly fns = new Set<(value: T) => void>();

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  add(fn: (value: T) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }

  emit(value: T): void {
    for (const fn of [...this.fns]) {
      try {
        fn(value);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
