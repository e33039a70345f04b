import { statfsSync } from 'node:fs';

/** Below this much free space on DATA_DIR's disk (64 MiB, or 5 % of a smaller disk) the instance reports itself degraded. */
const LOW_DISK_BYTES = 64 * 1024 * 1024;
const LOW_DISK_SHARE = 0.05;
/** A store failure keeps /healthz degraded this long after it was last seen. */
const REMEMBER_MS = 30_000;

/**
 * What /healthz reports besides "the process answers": a store that failed recently (the disk
 * filled, the database went away) and a disk about to fill. Degraded answers 503, so a monitor
 * (or a load balancer) sees it.
 */
export class Health {
  private lastFailure: { store: string; at: number; message: string } | null = null;

  constructor(private readonly dataDir: string | null) {}

  storageFailed(store: string, message: string): void {
    this.lastFailure = { store, at: Date.now(), message };
  }

  /** A write went through: whatever failed before works again. */
  storageWorks(): void {
    this.lastFailure = null;
  }

  problems(): string[] {
    const out: string[] = [];
    if (this.lastFailure && Date.now() - this.lastFailure.at < REMEMBER_MS) {
      out.push(`${this.lastFailure.store} unavailable (last seen ${new Date(this.lastFailure.at).toISOString()}: ${this.lastFailure.message})`);
    }
    if (this.dataDir) {
      try {
        const fs = statfsSync(this.dataDir);
        const free = fs.bavail * fs.bsize;
        if (free < Math.min(LOW_DISK_BYTES, fs.blocks * fs.bsize * LOW_DISK_SHARE)) out.push(`the disk of DATA_DIR has ${Math.floor(free / 1024)} KiB free`);
      } catch (e) {
        out.push(`DATA_DIR cannot be read: ${(e as Error).message}`);
      }
    }
    return out;
  }
}
