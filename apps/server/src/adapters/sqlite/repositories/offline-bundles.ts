import { and, asc, eq } from 'drizzle-orm';
import type { OfflineBundleRecord, OfflineBundleRepo } from '../../../ports/repositories.ts';
import type { Db } from '../open.ts';
import { offlineBundles } from '../schema.ts';
import type { Sync } from '../sync.ts';

export class SqliteOfflineBundles implements Sync<OfflineBundleRepo> {
  constructor(private readonly db: Db) {}

  insert(b: OfflineBundleRecord): boolean {
    return this.db.insert(offlineBundles).values(b).onConflictDoNothing().run().changes > 0;
  }

  find(attemptId: string, sha256: string): OfflineBundleRecord | undefined {
    return this.db.select().from(offlineBundles).where(and(eq(offlineBundles.attemptId, attemptId), eq(offlineBundles.sha256, sha256))).get();
  }

  list(attemptId: string): OfflineBundleRecord[] {
    return this.db.select().from(offlineBundles).where(eq(offlineBundles.attemptId, attemptId)).orderBy(asc(offlineBundles.receivedAt), asc(offlineBundles.id)).all();
  }
}
