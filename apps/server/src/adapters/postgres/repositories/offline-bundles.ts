import { and, asc, eq } from 'drizzle-orm';
import type { OfflineBundleRecord, OfflineBundleRepo } from '../../../ports/repositories.ts';
import type { Exec } from '../exec.ts';
import { offlineBundles } from '../schema.ts';

export class PgOfflineBundles implements OfflineBundleRepo {
  constructor(private readonly x: Exec) {}

  async insert(b: OfflineBundleRecord): Promise<boolean> {
    const rows = await this.x.db.insert(offlineBundles).values(b).onConflictDoNothing().returning({ id: offlineBundles.id });
    return rows.length > 0;
  }

  async find(attemptId: string, sha256: string): Promise<OfflineBundleRecord | undefined> {
    const [r] = await this.x.db.select().from(offlineBundles).where(and(eq(offlineBundles.attemptId, attemptId), eq(offlineBundles.sha256, sha256))).limit(1);
    return r;
  }

  async list(attemptId: string): Promise<OfflineBundleRecord[]> {
    return this.x.db.select().from(offlineBundles).where(eq(offlineBundles.attemptId, attemptId)).orderBy(asc(offlineBundles.receivedAt), asc(offlineBundles.id));
  }
}
