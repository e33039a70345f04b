/**
 * Who may serve a data folder. Without shared state (no REDIS_URL) a process must be the only one
 * (`exclusive`); with it, several may (`shared`), and none may take it exclusively meanwhile.
 */
export interface InstanceLock {
  release(): Promise<void>;
}

export class InstanceLockRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstanceLockRefused';
  }
}
