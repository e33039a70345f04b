/**
 * Whether this process is shutting down: new requests are turned away (503, the client or nginx
 * tries another instance), and long-lived streams are ended with a reconnect hint.
 */
export class Lifecycle {
  private isClosing = false;
  private readonly hooks = new Set<() => void>();

  get closing(): boolean {
    return this.isClosing;
  }

  onClose(fn: () => void): () => void {
    this.hooks.add(fn);
    return () => this.hooks.delete(fn);
  }

  close(): void {
    if (this.isClosing) return;
    this.isClosing = true;
    for (const h of this.hooks) h();
    this.hooks.clear();
  }
}
