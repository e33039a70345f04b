export { reviewModule } from './review-module.ts';
export { ReviewService, type SealOutcome } from './review-service.ts';
export { SqliteReviewStore } from './sqlite-review-store.ts';
export { verifyArchive } from './hash-chain.ts';
export { SCORING_RULE, scoreAttempt } from './scoring.ts';
