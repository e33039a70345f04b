import { afterAll, describe, it } from 'vitest';
import { freshDatabase, postgresUnavailable } from '../src/adapters/postgres/testing.ts';
import { redisForTests } from '../src/adapters/redis/testing.ts';
import { haveNginx } from '../src/testing/cluster.ts';
import { describeScaleOut } from '../src/testing/scale-out.suite.ts';

// Three instances on one PostgreSQL database, sharing Redis, clients through nginx.
const redis = await redisForTests();
const pgWhy = await postgresUnavailable();
const why = pgWhy ?? (haveNginx() ? null : 'nginx is not installed');
if (why) {
  console.warn(`SKIPPED: the multi-instance PostgreSQL tests need PostgreSQL, Redis and nginx: ${why}`);
  describe('three instances on PostgreSQL + Redis', () => it.skip(why, () => undefined));
} else if (redis.url) {
  const db = await freshDatabase('invigil_scaleout');
  afterAll(() => db.drop());
  describeScaleOut('three instances on one PostgreSQL database + Redis, through nginx', { instances: 3, store: 'postgres', databaseUrl: db.url, redisUrl: redis.url, nginx: true });
}
