import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { describeSharedState } from '../shared-state.suite.ts';
import { redisForTests } from './testing.ts';
import { redisSharedState } from './shared-state.ts';

const redis = await redisForTests();
// Every instance made here shares one key prefix: they behave like the processes of one cluster.
const prefix = `invigil-test:${randomUUID()}:`;
if (redis.url) {
  describeSharedState('Redis (shared by every instance)', { make: (now) => redisSharedState(redis.url!, { prefix, now, log: pino({ level: 'silent' }) }), shared: true });
}
