import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { ExamAdminService } from './admin/exam-admin-service.ts';
import { PlacesService } from './admin/places-service.ts';
import { ProvisioningService } from './admin/provisioning-service.ts';
import { RosterService } from './admin/roster-service.ts';
import type { AdminServices } from './admin/routes.ts';
import { StaffService } from './admin/staff-service.ts';
import { AnswerService } from './exam-sessions/answer-service.ts';
import { AnswerWriter } from './exam-sessions/answer-writer.ts';
import { CandidateActions } from './exam-sessions/candidate-actions.ts';
import { ExamCatalog } from './exam-sessions/exam-catalog.ts';
import { ExamView } from './exam-sessions/exam-view.ts';
import { HeartbeatService } from './exam-sessions/heartbeat-service.ts';
import { PresenceEvents } from './exam-sessions/presence-events.ts';
import { RecoveryService } from './exam-sessions/recovery-service.ts';
import type { ExamSessionServices } from './exam-sessions/routes.ts';
import { SessionChanges } from './exam-sessions/session-changes.ts';
import { SessionReader } from './exam-sessions/session-reader.ts';
import { StartService } from './exam-sessions/start-service.ts';
import { DueSessions, noteInto } from './exam-sessions/due-sessions.ts';
import { Sweeper } from './exam-sessions/sweeper.ts';
import { OutageSettler } from './exam-sessions/outage.ts';
import { AttendanceService } from './proctoring/attendance-service.ts';
import { NotesService } from './proctoring/notes-service.ts';
import { RoomActionsService } from './proctoring/room-actions-service.ts';
import { WaiverService } from './proctoring/waiver-service.ts';
import { Authenticator } from './login-sessions/authenticator.ts';
import { LoginService } from './login-sessions/login-service.ts';
import { MySessionsService } from './login-sessions/my-sessions-service.ts';
import { RolePolicyService } from './login-sessions/role-policies.ts';
import type { LoginSessionServices } from './login-sessions/routes.ts';
import type { Database } from './ports/database.ts';
import { Lifecycle } from './http/lifecycle.ts';
import { noMetrics, type Metrics } from './ports/metrics.ts';
import type { SharedState } from './ports/shared-state.ts';
import { ActionsService } from './proctoring/actions-service.ts';
import { AlertsService } from './proctoring/alerts-service.ts';
import { RoomService } from './proctoring/room-service.ts';
import type { ProctoringServices } from './proctoring/routes.ts';
import type { RoomOpsServices } from './proctoring/room-ops-routes.ts';
import { TransferService } from './proctoring/transfer-service.ts';
import { OfflineBundleService } from './proctoring/offline-bundle-service.ts';
import { OfflineCodesService } from './proctoring/offline-codes-service.ts';
import type { OfflineServices } from './proctoring/offline-routes.ts';
import { SseFrames } from './proctoring/sse-frames.ts';
import { OfflineKeys } from './security/offline-keys.ts';
import { ReviewService } from './review/review-service.ts';
import { Sealing } from './review/sealing.ts';

export interface ServiceDeps {
  db: Database;
  shared: SharedState;
  config: Config;
  log: Logger;
  now: () => number;
  /** The server secret (access-code hashes, recovery-token rotation). */
  secretKey: Buffer;
  metrics?: Metrics;
  /** Tells long-lived streams that the process is shutting down. */
  lifecycle?: Lifecycle;
  /** The SSE frame of each live event, built once for all streams (default: JSON). */
  frames?: SseFrames;
}

/** Every service of the server, wired to the ports it is given (no adapter is named here). */
export interface Services {
  examSessions: ExamSessionServices & { changes: SessionChanges; writer: AnswerWriter; sweeper: Sweeper; outage: OutageSettler; presenceEvents: PresenceEvents; reader: SessionReader };
  loginSessions: LoginSessionServices & { authenticator: Authenticator };
  proctoring: ProctoringServices & Omit<RoomOpsServices, 'alerts'>;
  offline: OfflineServices;
  admin: AdminServices;
  review: ReviewService;
  sealing: Sealing;
}

export function createServices(d: ServiceDeps): Services {
  const { db, config, log, now } = d;
  // Every sign of life written through this process also moves the session's sweeper deadline.
  const due = new DueSessions(now());
  const shared = { ...d.shared, presence: noteInto(d.shared.presence, due) };
  const metrics = d.metrics ?? noMetrics;
  const catalog = new ExamCatalog({ db, invalidations: shared.invalidations, config });
  const writer = new AnswerWriter(db.repos.answers);
  const endedHooks: ((attemptId: string) => void)[] = [];
  const changes = new SessionChanges({ db, shared, now, log, answers: writer, endedHooks, metrics, changed: (id) => due.recheck(id) });
  const reader = new SessionReader({ db, presence: shared.presence, now });
  const presenceEvents = new PresenceEvents(shared.events);
  const heartbeats = new HeartbeatService({ db, shared, now, log, changes, reader, presenceEvents, metrics, catalog });
  const examSessions = {
    catalog,
    view: new ExamView({ db, catalog, now }),
    changes,
    writer,
    reader,
    presenceEvents,
    start: new StartService({ db, shared, config, now, catalog, changes, reader }),
    heartbeats,
    recovery: new RecoveryService({ db, shared, now, log, secretKey: d.secretKey, catalog, changes, reader, verifier: heartbeats.keys, metrics }),
    answers: new AnswerService({ db, now, catalog, changes, reader, writer, metrics }),
    actions: new CandidateActions({ changes, reader }),
    sweeper: new Sweeper({ db, shared, now, log, catalog, changes, due }),
    outage: new OutageSettler({ db, shared, now, log, catalog, changes, heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS }),
  };

  const authenticator = new Authenticator({ db, activity: shared.activity, now });
  const policies = new RolePolicyService({ db, now });
  const login = new LoginService({ db, limiters: shared.limiters, now, secretKey: d.secretKey, policies, authenticator, metrics, invalidations: shared.invalidations });
  const loginSessions = { authenticator, policies, login, mine: new MySessionsService({ db, now, authenticator, invalidations: shared.invalidations }) };

  const room = new RoomService({ db, shared, config, now, catalog });
  const actions = new ActionsService({ changes, room });
  const attendance = new AttendanceService({ db, now });
  const roomActions = new RoomActionsService({ db, now, actions });
  const proctoring = {
    room,
    actions,
    attendance,
    roomActions,
    notes: new NotesService({ db, now, room, roomActions }),
    waivers: new WaiverService({ db, now, attendance }),
    transfer: new TransferService({ db, shared, now, catalog, changes, reader, room, heartbeats, metrics }),
    alerts: new AlertsService({ db, now, room, changes }),
    events: shared.events,
    now,
    lifecycle: d.lifecycle ?? new Lifecycle(),
    invalidations: shared.invalidations,
    // A live stream's periodic check is there to notice what no event announced: it reads the database itself.
    authenticate: (token: string) => authenticator.authenticate(token, { fresh: true }),
    recheckMs: config.SSE_RECHECK_MS,
    frames: d.frames ?? new SseFrames(),
  };

  const offlineKeys = new OfflineKeys(d.secretKey);
  const offline = {
    codes: new OfflineCodesService({ db, now, keys: offlineKeys, room, actions, reader, verifier: heartbeats.keys }),
    bundles: new OfflineBundleService({ db, now, keys: offlineKeys, room, catalog, changes, writer, verifier: heartbeats.keys }),
  };

  const accessCodeHash = (code: string) => login.accessCodeHash(code);
  const admin = {
    provisioning: new ProvisioningService({ db, now, accessCodeHash }),
    places: new PlacesService({ db, now }),
    staff: new StaffService({ db, now, invalidations: shared.invalidations }),
    exams: new ExamAdminService({ db, now, invalidate: (id) => catalog.invalidate(id) }),
    roster: new RosterService({ db, now, accessCodeHash }),
  };

  const review = new ReviewService({ db, log, now, secretKey: d.secretKey });
  const sealing = new Sealing({ review, log });
  endedHooks.push(sealing.onSessionEnded);
  return { examSessions, loginSessions, proctoring, offline, admin, review, sealing };
}
