import type { SettingsRepo } from '../../../ports/repositories.ts';
import type { Db } from '../open.ts';
import { settings } from '../schema.ts';
import type { Sync } from '../sync.ts';

export class SqliteSettings implements Sync<SettingsRepo> {
  private readonly valueOf;

  constructor(private readonly db: Db) {
    // Every sign-in reads the role policies: prepared once.
    const value = db.$client.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.valueOf = (key: string) => value.get(key) as string | undefined;
  }

  get(key: string): unknown {
    const v = this.valueOf(key);
    return v === undefined ? undefined : (JSON.parse(v) as unknown);
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
