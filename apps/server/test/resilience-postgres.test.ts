import { afterAll, describe, it } from 'vitest';
import { haveNginx } from '../src/testing/cluster.ts';
import { privatePostgres, privatePostgresUnavailable } from '../src/testing/private-postgres.ts';
import { haveRedisServer } from '../src/testing/private-redis.ts';
import { describeResilience } from '../src/testing/resilience.suite.ts';

// Three instances on a PostgreSQL of the test's own (so it can be restarted), a Redis of their own, nginx in front.
const why = privatePostgresUnavailable() ?? (haveNginx() ? null : 'nginx is not installed') ?? (haveRedisServer() ? null : 'redis-server is not installed');
if (why) {
  console.warn(`SKIPPED: the PostgreSQL resilience tests: ${why}`);
  describe('resilience (PostgreSQL)', () => it.skip(why, () => undefined));
} else {
  const pg = await privatePostgres();
  afterAll(() => pg.destroy());
  describeResilience('three instances on PostgreSQL (restartable), a Redis of their own, behind nginx', { instances: 3, store: 'postgres', databaseUrl: pg.url }, { restartDatabase: pg });
}
