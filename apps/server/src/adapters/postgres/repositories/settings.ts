import type { SettingsRepo } from '../../../ports/repositories.ts';
import type { Exec } from '../exec.ts';
import { settings } from '../schema.ts';

export class PgSettings implements SettingsRepo {
  constructor(private readonly x: Exec) {}

  async get(key: string): Promise<unknown> {
    // Read at every sign-in (the login policy): a named prepared statement.
    const [r] = await this.x.rows<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key], 'invigil.settings.get');
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
