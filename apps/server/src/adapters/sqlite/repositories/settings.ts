import { eq } from 'drizzle-orm';
import type { SettingsRepo } from '../../../ports/repositories.ts';
import type { Db } from '../open.ts';
import { settings } from '../schema.ts';
import type { Sync } from '../sync.ts';

export class SqliteSettings implements Sync<SettingsRepo> {
  constructor(private readonly db: Db) {}

  get(key: string): unknown {
    const r = this.db.select().from(settings).where(eq(settings.key, key)).get();
    return r ? (JSON.parse(r.value) as unknown) : undefined;
  }

  put(key: string, value: unknown, by: string, now: number): void {
    const json = JSON.stringify(value);
    this.db
      .insert(settings)
      .values({ key, value: json, updatedAt: now, updatedBy: by })
      .onConflictDoUpdate({ target: settings.key, set: { value: json, updatedAt: now, updatedBy: by } })
      .run();
  }
}
