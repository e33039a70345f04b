import type { z } from 'zod';
import { readIfExists, writeFileAtomic } from './atomic-file.ts';
import type { SecretStore } from './ports.ts';

/** A small JSON document kept sealed by the SecretStore and replaced atomically. */
export class SealedJsonFile<S extends z.ZodType> {
  constructor(
    private readonly path: string,
    private readonly store: SecretStore,
    private readonly schema: S,
  ) {}

  /** The stored value; null when there is none. Throws if it exists but cannot be unsealed or parsed. */
  async read(): Promise<z.infer<S> | null> {
    const raw = await readIfExists(this.path);
    if (!raw) return null;
    const json: unknown = JSON.parse(this.store.unseal(raw).toString('utf8'));
    return this.schema.parse(json);
  }

  async write(value: z.infer<S>): Promise<void> {
    await writeFileAtomic(this.path, this.store.seal(Buffer.from(JSON.stringify(value), 'utf8')));
  }
}
