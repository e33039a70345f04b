import { redisForTests } from '../src/adapters/redis/testing.ts';
import { describeScaleOut } from '../src/testing/scale-out.suite.ts';

// Two processes on one SQLite DATA_DIR (a centre's one box using both its cores), sharing Redis.
const redis = await redisForTests();
if (redis.url) describeScaleOut('two server processes on one SQLite DATA_DIR + Redis', { instances: 2, store: 'sqlite', redisUrl: redis.url });
