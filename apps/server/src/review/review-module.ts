import type { FeatureModule, ModuleDeps } from '../modules.ts';
import { reviewRoutes } from './review-routes.ts';
import { ReviewService } from './review-service.ts';
import { SqliteReviewStore } from './sqlite-review-store.ts';

const SWEEP_EVERY_MS = 60_000;
const SWEEP_CHUNK = 25;

/** Review: sealed per-attempt archives with a hash chain, session browser, scoring. */
export function reviewModule(deps: ModuleDeps): FeatureModule {
  const service = new ReviewService({ store: new SqliteReviewStore(deps.db), log: deps.log, now: deps.now });
  let stopped = false;
  let sweeping = false;

  /** Seals final attempts left without an archive, a chunk per event-loop turn (never blocks for long). */
  const sweep = async () => {
    if (sweeping || stopped) return;
    sweeping = true;
    try {
      let after: string | undefined;
      let sealed = 0;
      do {
        const step = service.sweepStep(after, SWEEP_CHUNK);
        sealed += step.sealed;
        after = step.next;
        await new Promise<void>((res) => setImmediate(res));
      } while (after !== undefined && !stopped);
      if (sealed) deps.log.info({ sealed }, 'archive sweep sealed attempts left without an archive');
    } catch (err) {
      if (!stopped) deps.log.error({ err }, 'archive sweep failed');
    } finally {
      sweeping = false;
    }
  };

  return {
    name: 'review',
    routes: (r) => reviewRoutes(r, service),
    onSessionEnded(attemptId) {
      // Sealed on the next turn, so what the same request does right after the change (the
      // proctor's instruction to the kiosk...) is in the timeline. Never throws into the caller.
      setImmediate(() => {
        if (!stopped) service.sealSafely(attemptId);
      });
    },
    start() {
      // Repairs a crash between a session's end and its sealing.
      setImmediate(() => void sweep());
      const timer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
      timer.unref();
      return () => {
        stopped = true;
        clearInterval(timer);
      };
    },
  };
}
