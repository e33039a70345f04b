import type { Logger } from 'pino';
import type { Db } from './adapters/sqlite/db.ts';
import type { Config } from './config.ts';
import type { RouteRegistry } from './http/route-registry.ts';
import type { Presence } from './ports/presence.ts';
import type { Store } from './ports/store.ts';
import type { EventBus } from './services/event-bus.ts';
import type { Services } from './services/services.ts';

/** What a feature module (admin, review...) gets to build on. */
export interface ModuleDeps {
  db: Db;
  store: Store;
  presence: Presence;
  config: Config;
  log: Logger;
  now: () => number;
  bus: EventBus;
  services: Services;
}

/** A feature module: its routes, and optional hooks into the session lifecycle. */
export interface FeatureModule {
  name: string;
  routes(r: RouteRegistry): void;
  /** Called after a session reached a final state (completed, expired, terminated). */
  onSessionEnded?(attemptId: string): void;
  /** Background work (e.g. hourly cleanup); returns a stop function. */
  start?(): () => void;
}
