import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Presence } from '../ports/presence.ts';
import type { Store } from '../ports/store.ts';
import { AnswerWriter } from './answer-writer.ts';
import { AuthService } from './auth-service.ts';
import { EventBus } from './event-bus.ts';
import { ExamCatalog } from './exam-catalog.ts';
import { ProvisioningService } from './provisioning-service.ts';
import { SessionService } from './session-service.ts';
import { ProctorService } from './proctor-service.ts';

export interface ServiceDeps {
  store: Store;
  presence: Presence;
  config: Config;
  log: Logger;
  now: () => number;
  secretKey: Buffer;
  bus?: EventBus;
}

export interface Services {
  bus: EventBus;
  /** Hooks run after a session reached a final state (feature modules register here). */
  endedHooks: ((attemptId: string) => void)[];
  auth: AuthService;
  provisioning: ProvisioningService;
  sessions: SessionService;
  proctor: ProctorService;
  answers: AnswerWriter;
  exams: ExamCatalog;
}

export function createServices(d: ServiceDeps): Services {
  const bus = d.bus ?? new EventBus();
  const endedHooks: ((attemptId: string) => void)[] = [];
  const exams = new ExamCatalog(d.store);
  const answers = new AnswerWriter(d.store);
  const auth = new AuthService({ store: d.store, now: d.now, log: d.log, secretKey: d.secretKey });
  const provisioning = new ProvisioningService({ store: d.store, exams, now: d.now, accessCodeHash: (code) => auth.accessCodeHash(code) });
  const sessions = new SessionService({ store: d.store, presence: d.presence, answers, exams, config: d.config, now: d.now, log: d.log, bus, endedHooks });
  const proctor = new ProctorService({ store: d.store, presence: d.presence, sessions, bus, config: d.config, now: d.now });
  return { bus, endedHooks, auth, provisioning, sessions, proctor, answers, exams };
}
