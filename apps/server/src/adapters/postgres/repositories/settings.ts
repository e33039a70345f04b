import { eq } from 'drizzle-orm';
import type { SettingsRepo } from '../../../ports/repositories.ts';
import type { Exec } from '../exec.ts';
import { settings } from '../schema.ts';

export class PgSettings implements SettingsRepo {
  constructor(private readonly x: Exec) {}

  async get(key: string): Promise<unknown> {
    const [r] = await this.x.db.select().from(settings).where(eq(settings.key, key)).limit(1);
    return r ? (JSON.parse(r.value) as unknown) : undefined;
  }

  async put(key: string, value: unknown, by: string, now: number): Promise<void> {
    const json = JSON.stringify(value);
    await this.x.db
      .insert(settings)
      .values({ key, value: json, updatedAt: now, updatedBy: by })
      .onConflictDoUpdate({ target: settings.key, set: { value: json, updatedAt: now, updatedBy: by } });
  }
}
