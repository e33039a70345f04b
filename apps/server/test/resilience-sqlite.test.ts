import { describe, it } from 'vitest';
import { haveNginx } from '../src/testing/cluster.ts';
import { haveRedisServer } from '../src/testing/private-redis.ts';
import { describeResilience } from '../src/testing/resilience.suite.ts';

if (haveNginx() && haveRedisServer()) {
  describeResilience('two processes on one SQLite DATA_DIR, a Redis of their own, behind nginx', { instances: 2, store: 'sqlite' });
} else {
  const why = 'SKIPPED: the resilience tests need nginx and redis-server (scripts/test.sh installs them when it runs as root with apt-get)';
  console.warn(why);
  describe('resilience (SQLite)', () => it.skip(why, () => undefined));
}
