import { describeSharedState } from '../shared-state.suite.ts';
import { memorySharedState } from './shared-state.ts';

describeSharedState('memory (one process)', { make: async (now) => memorySharedState(now), shared: false });
