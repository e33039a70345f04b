import { FINAL_STATUSES } from '@invigil/core';
import {
  AnswerValue,
  CandidateExamView,
  ExamCover,
  heartbeatSigningString,
  offlineBundleSigningString,
  offlineKeyRequestSigningString,
  recoverSigningString,
  Slug,
  type CandidateLoginRequest,
  type Instruction,
  type IntegrityEvent,
  type KioskAnswer,
  type KioskConfig,
  type KioskConfigureRequest,
  type PreflightReport,
  type StartSessionResponse,
  type KioskEvent,
  type OfflineAction,
  type KioskState,
  type SessionStatus,
} from '@invigil/contract';
import { mkdir, rm } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentError, toAgentError } from './agent-error.ts';
import { AnswerCache } from './answer-cache.ts';
import { ApiClient, ApiError, NetworkError } from './api-client.ts';
import { Backoff, backoffFor, type BackoffOptions } from './backoff.ts';
import { DeviceIdentity } from './device-identity.ts';
import { Listeners } from './emitter.ts';
import { EnvironmentMonitor, type EnvironmentCheckOptions } from './environment-checks.ts';
import { deviceFingerprint, type Fingerprint } from './fingerprint.ts';
import { CONFIG_FILE, describeNetworkError, normalizeServerUrl, readKioskConfig, writeKioskConfig } from './kiosk-config.ts';
import { nodePlatformProbe } from './node-platform.ts';
import { DEVICE_KEY_BOX_INFO, OfflineCodes } from './offline-codes.ts';
import { boxKeyPair, sealBox } from './offline-crypto.ts';
import { Outbox, type OutboxOptions } from './outbox.ts';
import { runPreflight } from './preflight.ts';
import { silentLogger, type AgentLogger, type PlatformProbe, type SecretStore, type StaffCodeChecker } from './ports.ts';
import { SealedJsonFile } from './sealed-file.ts';
import { ServerClock } from './server-clock.ts';

export const SESSION_FILE = 'session.sealed';
export const EXAM_CACHE_FILE = 'exam.sealed';
/** The answers the server acknowledged for the attempt running here (shown again after a restart offline). */
export const ANSWERS_FILE = 'answers.sealed';

/** What the kiosk keeps between runs, sealed: the login, and the attempt it must be able to recover. */
const SessionDoc = z.object({
  v: z.literal(1),
  serverUrl: z.string(),
  examId: z.string(),
  candidateId: z.string(),
  loginToken: z.string(),
  attempt: z
    .object({
      attemptId: z.string(),
      recoveryToken: z.string(),
      heartbeatIntervalMs: z.number().int().positive(),
      startedAt: z.number().int(),
      /** An offline bundle marked submitted was written (README "Offline submission"): no more answers here. */
      offlineSubmittedAt: z.number().int().optional(),
      /** Questions flagged for review, and the raised hand (this attempt's only). */
      flagged: z.array(z.string()).optional(),
      help: z.object({ requestedAt: z.number().int().nullable(), seenAt: z.number().int().nullable() }).optional(),
    })
    .nullable(),
  /** The candidate's text size and contrast (kept until sign-out). */
  display: z.object({ textSize: z.number().int().min(0).max(3), highContrast: z.boolean() }).optional(),
  /** The exam's cover page as the server showed it before the start (name, title, planned extra time). */
  cover: ExamCover.optional(),
});
type SessionDoc = z.infer<typeof SessionDoc>;

/** The exam view kept for offline use, and whose it is: only the candidate who loaded it gets it back. */
const AnswersDoc = z.object({ v: z.literal(1), attemptId: z.string(), answers: z.array(z.object({ questionId: z.string(), value: AnswerValue, clientSeq: z.number().int() })) });
const ExamCacheDoc = z.object({ v: z.literal(1), candidateId: z.string(), exam: CandidateExamView });

const NO_SAVES: KioskState['saves'] = { pending: 0, lastSavedLocallyAt: null, lastSyncedAt: null };
const DEFAULT_DISPLAY: KioskState['display'] = { textSize: 0, highContrast: false };
const NO_HELP: KioskState['help'] = { requestedAt: null, seenAt: null };
/** How long a staff code (authorizeStaff) allows its action. */
export const STAFF_GRANT_MS = 5 * 60_000;

export interface AgentOptions {
  /**
   * e.g. `http://exam-server:8080`. The default until one is set on the connect screen
   * (`configure`, kept in `config.json` in dataDir, which wins). Without either, the agent starts
   * `idle` and every server call answers NOT_CONFIGURED.
   */
  serverUrl?: string;
  /** Pins the server's TLS certificate (SHA-256, hex): https only, to exactly that certificate (kiosk.json). */
  serverCertSha256?: string;
  /** Where the device key, the sealed session and the outbox live (created if missing). */
  dataDir: string;
  secretStore: SecretStore;
  /** Displays, processes, VM hints, machine id. Default: what plain Node can see. */
  platform?: PlatformProbe;
  now?: () => number;
  random?: () => number;
  log?: AgentLogger;
  /** Offline retry pacing; default derived from the heartbeat interval (see backoffFor). */
  backoff?: Partial<BackoffOptions>;
  /** Per-request timeout; default 2 × heartbeat interval, between 2 s and 15 s. */
  requestTimeoutMs?: number;
  /** Environment checks, or false to run none. */
  checks?: EnvironmentCheckOptions | false;
  outbox?: OutboxOptions;
  /** How long `submit` waits for unsent answers to reach the server. Default 30 s. */
  submitSyncTimeoutMs?: number;
  /**
   * The server's Ed25519 offline signing key (base64url, from `GET /api/v1/offline/keys`; the kiosk's
   * kiosk.json `serverPublicKey`). Without it there are no offline staff codes and no offline bundles.
   */
  serverPublicKey?: string;
  /**
   * The staff code check (the shell's quit gate: same code, same rate limit). When given, changing
   * the exam server (`configure`) needs `authorizeStaff` first. Without it (tests, an unprovisioned
   * preview) the connect screen is open to anyone.
   */
  staffCheck?: StaffCodeChecker;
}

/** The info string of the box an offline bundle travels in (as the server's). */
export const BUNDLE_BOX_INFO = 'invigil-offline-bundle/v1';

type Step = 'ok' | 'now' | 'retry' | 'stop';

const FINAL: readonly SessionStatus[] = FINAL_STATUSES;

/**
 * The kiosk's brain: device identity, session client (login, start, signed heartbeats, recovery),
 * the answer outbox and the environment checks. Plain Node: the Electron main process creates one
 * and wires its calls to the kiosk IPC (see ipc-handler.ts).
 */
export class Agent {
  private identity!: DeviceIdentity;
  private fingerprint!: Fingerprint;
  private outbox!: Outbox;
  private offline!: OfflineCodes;
  private fetchingOfflineKey = false;
  private doc: SessionDoc | null = null;
  private readonly api: ApiClient;
  private readonly clock: ServerClock;
  private readonly monitor: EnvironmentMonitor | null;
  /** Reads the machine for the pre-exam checks (the monitor itself when checks run). */
  private readonly inspector: EnvironmentMonitor;
  private serverUrl: string | null;
  private centerId: string | null = null;
  /** The exam this desk sits (config.json `examId`, set on the connect screen): prefilled on the sign-in form. */
  private deskExamId: string | null = null;
  private readonly platform: PlatformProbe;
  private readonly sessionFile: SealedJsonFile<typeof SessionDoc>;
  private readonly examCache: SealedJsonFile<typeof ExamCacheDoc>;
  private readonly answersFile: SealedJsonFile<typeof AnswersDoc>;
  private keepTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly log: AgentLogger;
  private backoff: Backoff;
  private intervalMs = 10_000;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private closed = false;
  private needsRecover = false;
  private pumping = false;
  private pumpAgain = false;
  private readonly pendingAcks = new Set<string>();
  /** Granted by the staff code: one staff action until `until` (local ms). */
  private staffGrant: { action: 'configure'; until: number } | null = null;
  /** The last time the server took a heartbeat (local ms), and the seconds it said were left then. */
  private lastHeard: { at: number; timeRemaining: number } | null = null;
  /** The server's pause threshold for this session (heartbeat interval × missed beats). */
  private pauseAfterMs: number | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  /** Staff let the candidate carry on while offline (Agent.releaseHold): no hold until the connection is back. */
  private holdReleased = false;
  /** Help requests not yet sent with a heartbeat. */
  private helpEvents: IntegrityEvent[] = [];
  private readonly handledInstructions = new Set<string>();
  /**
   * After a transfer claim: instructions staff issued before this device took the attempt over (the
   * transfer's own "quit" for the old desk, above all) are acknowledged but not acted on. Server ms.
   */
  private instructionsBefore: number | null = null;
  /** The running attempt's answers (one attempt only: see AnswerCache). */
  private readonly answerCache = new AnswerCache();
  private syncWaiters: { resolve: () => void; reject: (e: unknown) => void; timer: NodeJS.Timeout }[] = [];
  private readonly stateListeners: Listeners<KioskState>;
  private readonly eventListeners: Listeners<KioskEvent>;
  private st: KioskState = {
    phase: 'idle',
    connection: 'unknown',
    offlineSince: null,
    examId: null,
    candidateId: null,
    attemptId: null,
    session: { status: null, isLocked: false, pausedByStaff: false },
    clock: { timeRemaining: null, deadlineAt: null, running: false, offsetMs: 0 },
    saves: { ...NO_SAVES },
    lastError: null,
    offline: { continueNeeded: false, unlockedOffline: false, codesAvailable: false, bundleAvailable: false },
    hold: null,
    cover: null,
    transfer: null,
    display: { ...DEFAULT_DISPLAY },
    flagged: [],
    help: { ...NO_HELP },
  };

  constructor(private readonly o: AgentOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.log ?? silentLogger;
    this.platform = o.platform ?? nodePlatformProbe();
    this.serverUrl = o.serverUrl ? normalizeServerUrl(o.serverUrl) : null;
    this.api = new ApiClient({ serverUrl: this.serverUrl ?? '', timeoutMs: o.requestTimeoutMs ?? 5_000, userAgent: this.platform.clientInfo?.(), ...(o.serverCertSha256 ? { pinnedCertSha256: o.serverCertSha256 } : {}) });
    this.clock = new ServerClock(this.now);
    this.monitor = o.checks === false ? null : new EnvironmentMonitor(this.platform, o.checks ?? {}, this.now, this.log);
    this.inspector = this.monitor ?? new EnvironmentMonitor(this.platform, {}, this.now, this.log);
    this.sessionFile = new SealedJsonFile(join(o.dataDir, SESSION_FILE), o.secretStore, SessionDoc);
    this.examCache = new SealedJsonFile(join(o.dataDir, EXAM_CACHE_FILE), o.secretStore, ExamCacheDoc);
    this.answersFile = new SealedJsonFile(join(o.dataDir, ANSWERS_FILE), o.secretStore, AnswersDoc);
    this.backoff = this.makeBackoff(this.intervalMs);
    const onListenerError = (err: unknown) => this.log.error('listener failed', { error: (err as Error)?.message });
    this.stateListeners = new Listeners(onListenerError);
    this.eventListeners = new Listeners(onListenerError);
  }

  private makeBackoff(intervalMs: number): Backoff {
    return new Backoff({ ...backoffFor(intervalMs), ...this.o.backoff, ...(this.o.random ? { random: this.o.random } : {}) });
  }

  private setInterval(ms: number): void {
    this.intervalMs = ms;
    this.backoff = this.makeBackoff(ms);
    if (this.o.requestTimeoutMs === undefined) this.api.timeoutMs = Math.min(15_000, Math.max(2_000, 2 * ms));
  }

  // ---- start-up and crash recovery ---------------------------------------------------------

  /**
   * Loads (or creates) the device identity, opens the outbox and, when the last run left an
   * unfinished attempt, starts recovering it with the stored recovery token: the candidate types
   * nothing, and every answer still in the outbox is sent again once the server took us back.
   */
  async init(): Promise<KioskState> {
    await mkdir(this.o.dataDir, { recursive: true, mode: 0o700 });
    const { identity, created } = await DeviceIdentity.loadOrCreate(this.o.dataDir, this.o.secretStore);
    this.identity = identity;
    this.fingerprint = await deviceFingerprint(this.platform, this.o.dataDir);
    this.outbox = await Outbox.open(this.o.dataDir, { now: this.now, ...this.o.outbox });
    this.offline = await OfflineCodes.open(this.o.dataDir, this.o.secretStore, {
      serverPublicKey: this.o.serverPublicKey ?? null,
      devicePublicKey: identity.publicKey,
      now: this.now,
      serverNow: () => this.clock.serverNow(),
    });
    this.refreshOffline();
    this.log.info('agent started', { newDevice: created, fingerprintSource: this.fingerprint.source, pendingAnswers: this.outbox.pendingCount() });

    try {
      const config = await readKioskConfig(join(this.o.dataDir, CONFIG_FILE));
      if (config?.serverUrl) {
        this.serverUrl = config.serverUrl;
        this.api.setServerUrl(config.serverUrl);
      }
      this.centerId = config?.centerId ?? null;
      this.deskExamId = config?.examId ?? null;
    } catch (err) {
      this.log.error('the kiosk configuration cannot be read; using the defaults', { error: (err as Error).message });
    }

    try {
      this.doc = await this.sessionFile.read();
    } catch (err) {
      this.log.error('the stored session cannot be read; starting signed out', { error: (err as Error).message });
      this.doc = null;
    }
    if (this.doc && this.doc.serverUrl !== this.serverUrl) {
      this.log.warn('the stored session belongs to another server; ignoring it', { stored: this.doc.serverUrl });
      this.doc = null;
    }
    if (!this.doc) {
      // Nobody is signed in: whatever a previous candidate left (a crash mid sign-out) goes.
      await rm(join(this.o.dataDir, EXAM_CACHE_FILE), { force: true });
      await rm(join(this.o.dataDir, ANSWERS_FILE), { force: true });
      this.update({ phase: 'idle' });
      return this.state();
    }
    this.api.token = this.doc.loginToken;
    this.st.examId = this.doc.examId;
    this.st.candidateId = this.doc.candidateId;
    this.restorePrefs(this.doc);
    const a = this.doc.attempt;
    if (!a) {
      this.update({ phase: 'logged-in' });
      return this.state();
    }
    this.st.attemptId = a.attemptId;
    this.answerCache.scope(a.attemptId);
    // What the server had acknowledged before the restart (so a restart offline shows every answer).
    const kept = await this.answersFile.read().catch(() => null);
    if (kept?.attemptId === a.attemptId) for (const k of kept.answers) this.answerCache.put(a.attemptId, { ...k, synced: true });
    for (const r of this.outbox.pending(a.attemptId)) {
      this.answerCache.put(a.attemptId, { questionId: r.questionId, value: r.value, clientSeq: r.clientSeq, synced: false });
    }
    // What still waits for the server is known from the start (the UI says so while reconnecting).
    this.refreshPending();
    this.setInterval(a.heartbeatIntervalMs);
    this.needsRecover = true;
    // Restarted mid-exam: answers wait until the server takes the attempt back, or a proctor's
    // offline "continue" code says the candidate may go on without it (only where there are offline
    // codes: a kiosk without the server's key carries on as before, with no one able to say so).
    this.st.offline!.continueNeeded = this.offline.codesAvailable;
    this.update({ phase: 'recovering' });
    this.monitor?.start();
    this.schedule(0);
    return this.state();
  }

  // ---- the calls the UI makes ----------------------------------------------------------------

  /**
   * The connect screen: checks the address (http or https, nothing else), asks the server's
   * `GET /healthz`, and only when an Invigil server answers stores it with the exam center in
   * `config.json`. Refused while an attempt is running here. Pointing at another server signs out.
   */
  async configure(req: KioskConfigureRequest): Promise<KioskConfig & { serverVersion: string | null }> {
    this.assertOpen();
    if (this.doc?.attempt) throw new AgentError('CONFLICT', 'An exam is running on this kiosk: the server cannot be changed until it is finished.');
    if (this.o.staffCheck && !(this.staffGrant && this.staffGrant.action === 'configure' && this.staffGrant.until > this.now())) {
      throw new AgentError('STAFF_CODE_REQUIRED', 'Changing the exam server needs the staff code.');
    }
    const serverUrl = normalizeServerUrl(req.serverUrl);
    const probe = new ApiClient({ serverUrl, timeoutMs: 5_000, userAgent: this.platform.clientInfo?.(), ...(this.o.serverCertSha256 ? { pinnedCertSha256: this.o.serverCertSha256 } : {}) });
    let health;
    try {
      health = await probe.health();
    } catch (e) {
      if (e instanceof NetworkError) throw new AgentError('OFFLINE', `Cannot reach ${serverUrl}: ${describeNetworkError(e)}. Check the address and the network cable.`);
      const status = e instanceof ApiError ? `HTTP ${e.status}` : (e as Error).message;
      throw new AgentError('BAD_REQUEST', `${serverUrl} answered, but it is not an Invigil exam server (GET /healthz: ${status}).`);
    } finally {
      void probe.close().catch(() => undefined);
    }
    const centerId = req.centerId?.trim() || null;
    const examId = req.examId?.trim() || null;
    await writeKioskConfig(join(this.o.dataDir, CONFIG_FILE), { serverUrl, centerId, examId });
    if (serverUrl !== this.serverUrl) {
      this.serverUrl = serverUrl;
      this.api.setServerUrl(serverUrl);
      // A login belongs to one server: sign out (no attempt is running, checked above).
      if (this.doc) await this.forgetCandidate();
      this.update({ phase: 'idle', connection: 'online', offlineSince: null, lastError: null });
    } else {
      this.markOnline();
    }
    this.centerId = centerId;
    this.deskExamId = examId;
    this.staffGrant = null; // one change per staff code
    this.log.info('kiosk configured', { serverUrl, centerId, examId });
    return { serverUrl, centerId, ...(examId ? { examId } : {}), serverVersion: health.version ?? null };
  }

  getConfig(): KioskConfig {
    return { serverUrl: this.serverUrl, centerId: this.centerId, ...(this.deskExamId ? { examId: this.deskExamId } : {}), staffCodeRequired: !!this.o.staffCheck };
  }

  /**
   * Staff at the kiosk: the staff code (checked by the shell, rate limited like quitting) allows
   * one staff action for STAFF_GRANT_MS. Without a staff check configured every action is open.
   */
  async authorizeStaff(unlockCode: string, action: 'configure'): Promise<{ action: 'configure'; expiresAt: number }> {
    this.assertOpen();
    if (this.o.staffCheck) {
      const r = await this.o.staffCheck(unlockCode);
      if (!r.ok) {
        this.log.warn('staff code refused', { action, reason: r.reason });
        if (r.reason === 'wrong-code') throw new AgentError('INVALID_CREDENTIALS', 'That staff code is not right.');
        if (r.reason === 'rate-limited') throw new AgentError('RATE_LIMITED', `Too many wrong staff codes: wait ${Math.ceil(r.retryAfterMs / 1000)} s before trying again.`);
        throw new AgentError('FORBIDDEN', 'No staff code is provisioned on this kiosk: the server can only be set in kiosk.json.');
      }
    }
    const expiresAt = this.now() + STAFF_GRANT_MS;
    this.staffGrant = { action, until: expiresAt };
    this.log.info('staff code accepted', { action });
    return { action, expiresAt };
  }

  async login(req: CandidateLoginRequest): Promise<KioskState> {
    this.assertOpen();
    this.requireServer();
    const pending = this.doc?.attempt;
    if (pending && this.doc && (this.doc.examId !== req.examId || this.doc.candidateId !== req.candidateId)) {
      throw new AgentError('CONFLICT', 'another candidate has an unfinished exam on this kiosk; ask a proctor');
    }
    let token: string;
    try {
      token = (await this.api.login(req)).token;
    } catch (e) {
      throw this.fail(e);
    }
    if (this.doc && (this.doc.examId !== req.examId || this.doc.candidateId !== req.candidateId)) {
      // Someone else signs in over a finished candidate's login: nothing of the previous one stays.
      await this.forgetCandidate();
    }
    this.api.token = token;
    const kept = this.doc && this.doc.examId === req.examId && this.doc.candidateId === req.candidateId ? this.doc : null;
    this.doc = {
      v: 1,
      serverUrl: this.requireServer(),
      examId: req.examId,
      candidateId: req.candidateId,
      loginToken: token,
      attempt: pending ?? null,
      ...(kept?.display ? { display: kept.display } : {}),
      ...(kept?.cover ? { cover: kept.cover } : {}),
    };
    await this.persist();
    this.restorePrefs(this.doc);
    this.st.examId = req.examId;
    this.st.candidateId = req.candidateId;
    this.markOnline();
    if (pending) {
      // Signed in again after the old login ended: carry on with the unfinished attempt.
      this.needsRecover = true;
      this.update({ phase: 'recovering', lastError: null });
      this.monitor?.start();
      this.schedule(0);
    } else {
      this.update({ phase: 'logged-in', lastError: null });
    }
    return this.state();
  }

  /**
   * Signs out of this kiosk (the next candidate's turn): forgets everything of this candidate here
   * (see forgetCandidate). Refused while an attempt runs here, so an unfinished exam can always be
   * recovered on this computer.
   */
  async logout(): Promise<KioskState> {
    this.assertOpen();
    if (this.doc?.attempt) throw new AgentError('CONFLICT', 'An exam is running on this kiosk: finish it before signing out.');
    await this.forgetCandidate();
    this.update({ phase: 'idle', lastError: null });
    return this.state();
  }

  /**
   * Everything this kiosk knew of the signed-in candidate, gone: the login (session.sealed), the
   * cached exam, the answers shown, the save times, instructions and integrity events not yet sent,
   * and acknowledged answers still in the outbox file (compacted). Only answers the server never
   * acknowledged stay in the outbox, each under its own attempt: never shown or sent for another.
   */
  private async forgetCandidate(): Promise<void> {
    this.doc = null;
    this.api.token = null;
    this.stopLoop();
    this.needsRecover = false;
    this.seq = 0;
    this.answerCache.clear();
    this.pendingAcks.clear();
    this.handledInstructions.clear();
    this.instructionsBefore = null;
    this.monitor?.stop();
    this.monitor?.reset();
    await rm(join(this.o.dataDir, SESSION_FILE), { force: true });
    await rm(join(this.o.dataDir, EXAM_CACHE_FILE), { force: true });
    await this.dropKeptAnswers();
    await this.outbox.compact();
    this.st.examId = null;
    this.st.candidateId = null;
    this.st.attemptId = null;
    this.st.session = { status: null, isLocked: false, pausedByStaff: false };
    this.st.clock = { timeRemaining: null, deadlineAt: null, running: false, offsetMs: this.clock.offsetMs };
    this.st.saves = { ...NO_SAVES };
    this.st.offline = { ...this.st.offline!, continueNeeded: false, unlockedOffline: false };
    this.clearHold();
    this.helpEvents = [];
    this.st.cover = null;
    this.st.transfer = null;
    this.st.display = { ...DEFAULT_DISPLAY };
    this.st.flagged = [];
    this.st.help = { ...NO_HELP };
  }

  /** What the stored login says about the candidate's choices and their attempt (flags, raised hand). */
  private restorePrefs(doc: SessionDoc): void {
    this.st.display = { ...(doc.display ?? DEFAULT_DISPLAY) };
    this.st.cover = doc.cover ?? null;
    this.st.flagged = [...(doc.attempt?.flagged ?? [])];
    this.st.help = { ...(doc.attempt?.help ?? NO_HELP) };
  }

  /**
   * The exam's cover page for the check screen: the title, the candidate's name, the duration (and
   * planned extra time). Before the start the server sends it with its 403 QUESTIONS_NOT_AVAILABLE;
   * it is kept with the login, so later (the questions showing) it is the one read then.
   */
  async getCover(): Promise<ExamCover> {
    const doc = this.requireLogin();
    if (doc.cover && doc.cover.id === doc.examId && doc.cover.candidate.id === doc.candidateId) return doc.cover;
    let cover: ExamCover;
    try {
      const exam = await this.api.exam(doc.examId);
      this.markOnline();
      cover = { id: exam.id, title: exam.title, durationMinutes: exam.durationMinutes, candidate: { id: doc.candidateId, name: doc.candidateId } };
    } catch (e) {
      const details = e instanceof ApiError && e.code === 'QUESTIONS_NOT_AVAILABLE' ? ExamCover.safeParse((e.details as { cover?: unknown } | undefined)?.cover) : null;
      if (!details?.success) throw this.fail(e);
      this.markOnline();
      cover = details.data;
      if (this.doc === doc) {
        doc.cover = cover;
        await this.persist();
      }
    }
    if (this.doc === doc) this.update({ cover });
    return cover;
  }

  /** Text size and contrast: the candidate's, kept until sign-out (a restarted kiosk keeps them). */
  async setDisplay(display: KioskState['display']): Promise<KioskState> {
    const doc = this.requireLogin();
    doc.display = { textSize: display.textSize, highContrast: display.highContrast };
    await this.persist();
    this.update({ display: { ...doc.display } });
    return this.state();
  }

  /** Flags a question for review (or takes the flag off): this attempt's only. */
  async setFlag(questionId: string, flagged: boolean): Promise<KioskState> {
    this.assertOpen();
    const attempt = this.doc?.attempt;
    if (!attempt) throw new AgentError('NO_SESSION', 'there is no exam running on this kiosk');
    const set = new Set(attempt.flagged ?? []);
    if (flagged) set.add(questionId);
    else set.delete(questionId);
    attempt.flagged = [...set].slice(0, 1_000);
    await this.persist();
    this.update({ flagged: [...attempt.flagged] });
    return this.state();
  }

  /**
   * Raise hand: a `help_requested` integrity event goes with the next heartbeat (sent at once when
   * online; kept while offline), which the server turns into an alert for the room's proctors.
   * When a proctor acknowledges it, a `help_seen` instruction comes back (state.help.seenAt).
   */
  async raiseHand(): Promise<KioskState> {
    this.assertOpen();
    const attempt = this.doc?.attempt;
    if (!attempt) throw new AgentError('NO_SESSION', 'there is no exam running on this kiosk');
    const at = this.now();
    attempt.help = { requestedAt: at, seenAt: null };
    await this.persist();
    if (this.helpEvents.length < 10) this.helpEvents.push({ type: 'help_requested', at: new Date(at).toISOString() });
    this.update({ help: { ...attempt.help } });
    this.log.info('hand raised', { attemptId: attempt.attemptId });
    if (!this.ticking && this.st.phase === 'in-exam') this.schedule(0);
    return this.state();
  }

  /**
   * The exam (questions without keys). The server answers it only while the attempt runs (active,
   * unlocked): call it once the exam has started. Cached sealed, so a restarted kiosk can show it
   * offline or during a pause, and only to the candidate who loaded it (sign-out deletes it).
   */
  async getExam(): Promise<CandidateExamView> {
    const doc = this.requireLogin();
    try {
      const exam = await this.api.exam(doc.examId);
      this.markOnline();
      if (this.doc === doc) await this.examCache.write({ v: 1, candidateId: doc.candidateId, exam });
      return exam;
    } catch (e) {
      if (e instanceof NetworkError) this.markOffline();
      // Offline, or the server shows questions only while the session runs (a kiosk restarted during a
      // pause): the copy this kiosk already had for this candidate, if any.
      if (e instanceof NetworkError || (e instanceof ApiError && e.code === 'QUESTIONS_NOT_AVAILABLE')) {
        const cached = await this.examCache.read().catch(() => null);
        if (cached && cached.candidateId === doc.candidateId && cached.exam.id === doc.examId) return cached.exam;
      }
      throw this.fail(e);
    }
  }

  /** Starts the attempt, bound to this device's key. Idempotent while an attempt is running here. */
  async startExam(): Promise<KioskState> {
    const doc = this.requireLogin();
    if (doc.attempt) return this.state();
    const t0 = this.now();
    this.instructionsBefore = null;
    let r;
    try {
      r = await this.api.start({
        examSetId: doc.examId,
        deviceFingerprint: this.fingerprint.value,
        browserInfo: (this.platform.clientInfo?.() ?? 'invigil-agent').slice(0, 1_000),
        devicePublicKey: this.identity.publicKey,
      });
    } catch (e) {
      throw this.fail(e);
    }
    await this.beginAttempt(doc, r, t0, this.now());
    return this.state();
  }

  /**
   * At a new desk, after signing in: continues the attempt a proctor transferred here, with the
   * one-time resume code. The server binds this device's key to the attempt and answers a new
   * recovery token; the answers saved so far are read back, and heartbeats start.
   */
  async claimTransfer(resumeCode: string): Promise<KioskState> {
    const doc = this.requireLogin();
    if (doc.attempt) throw new AgentError('CONFLICT', 'An exam is already running on this kiosk.');
    const t0 = this.now();
    let r;
    try {
      r = await this.api.claimTransfer({
        resumeCode,
        devicePublicKey: this.identity.publicKey,
        deviceFingerprint: this.fingerprint.value,
        browserInfo: (this.platform.clientInfo?.() ?? 'invigil-agent').slice(0, 1_000),
      });
    } catch (e) {
      throw this.fail(e);
    }
    this.instructionsBefore = r.serverTime;
    const attemptId = await this.beginAttempt(doc, r, t0, this.now());
    await this.restoreFromServer(attemptId);
    this.emitState();
    this.emit({ type: 'recovered', attemptId, answersRestored: r.answersRestored, lastSaveTime: null, pendingReplayed: 0, status: r.status });
    this.log.info('transfer claimed', { attemptId, answersRestored: r.answersRestored });
    return this.state();
  }

  /** A new attempt on this device (started, or claimed after a transfer): persist first, then beat. */
  private async beginAttempt(doc: SessionDoc, r: StartSessionResponse, t0: number, t1: number): Promise<string> {
    doc.attempt = { attemptId: r.attemptId, recoveryToken: r.recoveryToken, heartbeatIntervalMs: r.heartbeatIntervalMs, startedAt: t1 };
    await this.persist();
    this.markOnline();
    this.setInterval(r.heartbeatIntervalMs);
    this.seq = 0;
    this.needsRecover = false;
    this.clock.sample(t0, t1, r.serverTime);
    // A new attempt: nothing shown, counted or queued for staff belongs to an earlier one.
    this.answerCache.scope(r.attemptId);
    this.pendingAcks.clear();
    this.monitor?.reset();
    this.st.saves = { ...NO_SAVES, pending: this.outbox.pendingCount(r.attemptId) };
    this.st.attemptId = r.attemptId;
    this.st.session = { status: r.status, isLocked: r.isLocked, pausedByStaff: false };
    this.st.flagged = [];
    this.st.help = { ...NO_HELP };
    this.st.transfer = null;
    this.helpEvents = [];
    this.clearHold();
    this.lastHeard = { at: t1, timeRemaining: r.timeRemaining };
    this.setClock(r.timeRemaining, r.serverTime, r.status === 'active' && !r.isLocked);
    this.update({ phase: 'in-exam', lastError: null });
    this.monitor?.start();
    this.schedule(0);
    void this.fetchOfflineKey();
    return r.attemptId;
  }

  /**
   * Saves an answer on this device: resolves once it is appended to the outbox and fsynced, so the
   * UI may say "saved locally". Sending it to the server happens behind, in order, until acknowledged.
   */
  async saveAnswer(questionId: string, value: AnswerValue): Promise<{ questionId: string; clientSeq: number; savedLocallyAt: number }> {
    this.assertOpen();
    const attempt = this.doc?.attempt;
    if (!attempt) throw new AgentError(this.st.phase === 'finished' ? 'SESSION_FINISHED' : 'NO_SESSION', 'there is no exam running on this kiosk');
    if (this.st.offline!.continueNeeded) {
      throw new AgentError('FORBIDDEN', 'This computer restarted and the exam server cannot be reached yet: wait for the connection, or ask a proctor for a "continue" code.');
    }
    if (attempt.offlineSubmittedAt !== undefined) throw new AgentError('SESSION_FINISHED', 'the exam was handed in on a USB stick; answers can no longer change here');
    if (this.st.hold) throw new AgentError('EXAM_HELD', 'Your exam is paused: the connection is lost. Your answers so far are safe; you can go on when it is back.');
    if (this.st.phase === 'moved') throw new AgentError('SESSION_NOT_ACTIVE', 'Your exam is moving to another desk: continue there.');
    if (!Slug.safeParse(questionId).success) throw new AgentError('VALIDATION_FAILED', 'not a question id');
    const parsed = AnswerValue.safeParse(value);
    if (!parsed.success) throw new AgentError('INVALID_ANSWER', 'an answer is an option id, a list of option ids, text, or null');
    const rec = await this.outbox.append({ attemptId: attempt.attemptId, questionId, value: parsed.data, at: this.now() });
    if (this.doc?.attempt?.attemptId !== attempt.attemptId) {
      // The attempt ended while this was being written (submitted, time up): it belongs to no exam now.
      this.outbox.dropAttempt(attempt.attemptId);
      throw new AgentError('SESSION_FINISHED', 'the exam ended before this answer was saved');
    }
    this.answerCache.put(attempt.attemptId, { questionId, value: rec.value, clientSeq: rec.clientSeq, synced: false });
    this.st.saves.lastSavedLocallyAt = rec.at;
    this.refreshPending();
    this.emit({ type: 'saved-locally', questionId, clientSeq: rec.clientSeq, at: rec.at });
    this.emitState();
    void this.pump();
    return { questionId, clientSeq: rec.clientSeq, savedLocallyAt: rec.at };
  }

  /**
   * Every answer this kiosk knows for the attempt running here (server's, overlaid with unsent local
   * ones); none when no attempt runs. Never another attempt's.
   */
  answers(): KioskAnswer[] {
    return this.answerSheet().answers;
  }

  /** The answers with the attempt they belong to (`getAnswers`: the UI checks it is the one it shows). */
  answerSheet(): { attemptId: string | null; answers: KioskAnswer[] } {
    const attemptId = this.doc?.attempt?.attemptId ?? null;
    return { attemptId, answers: this.answerCache.list(attemptId) };
  }

  /** Sends whatever is still unsent, then submits. Refuses (NOT_SYNCED) rather than lose an answer. */
  async submit(): Promise<{ status: SessionStatus }> {
    this.assertOpen();
    const attempt = this.doc?.attempt;
    if (!attempt) throw new AgentError('NO_SESSION', 'there is no exam running on this kiosk');
    void this.pump();
    await this.whenSynced(this.o.submitSyncTimeoutMs ?? 30_000);
    let info;
    try {
      info = await this.api.submit(attempt.attemptId);
    } catch (e) {
      throw this.fail(e);
    }
    await this.finish(info.status);
    return { status: info.status };
  }

  /** The shell blocked a key chord or a clipboard use (reported to staff, throttled). */
  reportBlocked(type: 'shortcut_blocked' | 'clipboard_blocked', what: string): void {
    this.monitor?.reportBlocked(type, what);
  }

  /** The kiosk window lost or regained focus (reported as an integrity event). */
  reportFocus(focused: boolean): void {
    this.monitor?.reportFocus(focused);
  }

  /**
   * The pre-exam checks, run now: server reachable, clock offset, one display, no remote-access /
   * screen-sharing / forbidden program, VM risk below the threshold, the outbox folder writable.
   * (While an exam runs the same environment checks also run on a timer and go to the staff.)
   */
  async runChecks(): Promise<PreflightReport> {
    this.assertOpen();
    const report = await runPreflight({
      serverUrl: this.serverUrl,
      health: () => this.api.health(),
      inspect: () => this.inspector.inspect(),
      dataDir: this.o.dataDir,
      now: this.now,
    });
    const server = report.checks.find((c) => c.id === 'server');
    if (this.serverUrl && server?.status === 'pass') this.markOnline();
    else if (this.serverUrl && server?.status === 'fail') this.markOffline();
    void this.monitor?.scan();
    return report;
  }

  // ---- offline staff codes and the offline bundle (README "Offline staff codes" / "Offline submission") ----

  /** A challenge for an offline staff code: the kiosk shows it, a proctor answers it from the console. */
  async offlineChallenge(action: OfflineAction): Promise<{ action: OfflineAction; challenge: string; expiresAt: number }> {
    this.assertOpen();
    if (action !== 'quit' && !this.doc?.attempt) throw new AgentError('NO_SESSION', 'there is no exam running on this kiosk');
    const c = await this.offline.challenge(action);
    this.log.info('offline challenge shown', { action, expiresAt: c.expiresAt });
    return c;
  }

  /**
   * Checks the proctor's answer to this kiosk's open challenge for `action` (one-time, bound to
   * this device and action, 10 minutes). Throws an AgentError when it is not right. Used by the
   * shell for quit (it then opens its quit gate) and by offlineCode for unlock / continue.
   */
  async checkOfflineCode(action: OfflineAction, code: string): Promise<void> {
    this.assertOpen();
    try {
      await this.offline.verify(action, code);
    } catch (e) {
      this.log.warn('offline staff code refused', { action, error: (e as Error).message });
      throw e;
    }
    this.log.warn('offline staff code accepted', { action });
  }

  /** Unlock (the lock screen lifts on this kiosk) or continue after a restart, with an offline staff code. */
  async offlineCode(action: 'unlock' | 'continue', code: string): Promise<KioskState> {
    if (!this.doc?.attempt) throw new AgentError('NO_SESSION', 'there is no exam running on this kiosk');
    await this.checkOfflineCode(action, code);
    if (action === 'continue') this.st.offline!.continueNeeded = false;
    else {
      this.st.session.isLocked = false;
      this.st.offline!.unlockedOffline = true;
    }
    // Staff let the candidate work on while the server cannot be reached: no offline hold (past the
    // pause threshold) until the connection is back.
    this.releaseHold();
    this.emitState();
    return this.state();
  }

  /** Fetches this device's offline key (and the server's bundle key) while the server is reachable. */
  private async fetchOfflineKey(): Promise<void> {
    const attempt = this.doc?.attempt;
    if (!attempt || !this.o.serverPublicKey || this.offline.hasDeviceKey || this.fetchingOfflineKey || this.closed) return;
    this.fetchingOfflineKey = true;
    try {
      const box = boxKeyPair();
      const answer = await this.api.offlineKey(attempt.attemptId, { boxPublicKey: box.publicKey, signature: this.identity.sign(offlineKeyRequestSigningString(attempt.attemptId, box.publicKey)) });
      await this.offline.acceptDeviceKey(answer, box.publicKey, (sealed) => box.open(sealed, DEVICE_KEY_BOX_INFO));
      this.log.info('offline key received', { keyId: answer.keyId });
      this.refreshOffline();
      this.emitState();
    } catch (err) {
      this.log.warn('could not fetch the offline key (tried again at the next recovery)', { error: (err as Error).message });
    } finally {
      this.fetchingOfflineKey = false;
    }
  }

  /**
   * The network never came back: writes the attempt to `path` (a USB stick staff chose), encrypted to
   * the server's key and signed with this device's key: every answer this kiosk holds with its
   * clientSeq, the integrity events not sent yet and the offline codes used. `submit`: the candidate
   * is finished; the server completes the attempt when the bundle is uploaded, and this kiosk takes
   * no more answers for it. The outbox is kept: if the network does return, it is sent as usual
   * (the server merges by clientSeq, so nothing is stored twice).
   */
  async exportOfflineBundle(path: string, o: { submit: boolean }): Promise<{ path: string; answers: number; bytes: number }> {
    this.assertOpen();
    const doc = this.doc;
    const attempt = doc?.attempt;
    if (!doc || !attempt) throw new AgentError('NO_SESSION', 'there is no exam running on this kiosk');
    const key = this.offline.bundleKey;
    if (!key) throw new AgentError('NOT_CONFIGURED', 'This kiosk never received the server’s key for offline bundles (it needs kiosk.json serverPublicKey and one connection during the exam).');
    const latest = new Map<string, { questionId: string; value: AnswerValue; clientSeq: number; at: number }>();
    const now = this.now();
    for (const a of this.answerCache.list(attempt.attemptId)) latest.set(a.questionId, { questionId: a.questionId, value: a.value, clientSeq: a.clientSeq, at: now });
    for (const r of this.outbox.pending(attempt.attemptId)) {
      const cur = latest.get(r.questionId);
      if (!cur || r.clientSeq >= cur.clientSeq) latest.set(r.questionId, { questionId: r.questionId, value: r.value, clientSeq: r.clientSeq, at: r.at });
    }
    const events = this.monitor?.drain(450) ?? [];
    this.monitor?.requeue(events);
    const body = JSON.stringify({
      v: 1,
      attemptId: attempt.attemptId,
      examId: doc.examId,
      candidateId: doc.candidateId,
      devicePublicKey: this.identity.publicKey,
      exportedAt: now,
      offlineSince: this.st.offlineSince,
      submitted: o.submit,
      answers: [...latest.values()].filter((a) => a.clientSeq > 0),
      events: [...events, ...this.offline.usedSince(attempt.startedAt).map((u) => ({ type: 'offline_code_used', action: u.action, at: new Date(u.at).toISOString() }))].slice(0, 500),
    });
    const sealed = JSON.stringify({ body, signature: this.identity.sign(offlineBundleSigningString(body)) });
    const text = `${JSON.stringify({ v: 1, kind: 'invigil-offline-bundle', keyId: key.keyId, box: sealBox(key.encryptionPublicKey, Buffer.from(sealed, 'utf8'), BUNDLE_BOX_INFO) })}\n`;
    await writeFileAtomic(path, text, 0o600);
    if (o.submit && attempt.offlineSubmittedAt === undefined) {
      attempt.offlineSubmittedAt = now;
      await this.persist();
    }
    this.log.warn('offline bundle written', { attemptId: attempt.attemptId, answers: latest.size, submit: o.submit });
    return { path, answers: latest.size, bytes: Buffer.byteLength(text) };
  }

  private refreshOffline(): void {
    const st = this.st.offline!;
    st.codesAvailable = this.offline.codesAvailable;
    st.bundleAvailable = this.offline.bundleKey !== null;
  }

  /**
   * Failed pre-exam checks have a staff path: which checks a proctor waived for the signed-in
   * candidate, with the reason. A checks screen lets the candidate start when every failed check
   * is among `checks` (the start is then audited with the waiver on the server).
   */
  async checkWaiver(): Promise<{ waived: boolean; checks: string[]; reason: string | null; grantedAt: string | null }> {
    this.requireLogin();
    try {
      return await this.api.checkWaiver();
    } catch (e) {
      throw this.fail(e);
    }
  }

  state(): KioskState {
    return structuredClone(this.st);
  }

  /** Calls `fn` with every new state (and once now). Returns the unsubscribe function. */
  subscribe(fn: (s: KioskState) => void): () => void {
    const off = this.stateListeners.add(fn);
    fn(this.state());
    return off;
  }

  onEvent(fn: (e: KioskEvent) => void): () => void {
    return this.eventListeners.add(fn);
  }

  /** Resolves when the state matches (now or later); rejects after `timeoutMs`. */
  waitFor(pred: (s: KioskState) => boolean, timeoutMs = 10_000): Promise<KioskState> {
    return new Promise((resolve, reject) => {
      let off: () => void = () => {};
      const timer = setTimeout(() => {
        off();
        reject(new AgentError('INTERNAL', `state not reached within ${timeoutMs} ms (now ${JSON.stringify(this.st)})`));
      }, timeoutMs);
      off = this.subscribe((s) => {
        if (!pred(s)) return;
        clearTimeout(timer);
        queueMicrotask(() => off());
        resolve(s);
      });
    });
  }

  /** Resolves once the server has acknowledged every answer saved so far. */
  whenSynced(timeoutMs = 30_000): Promise<void> {
    if (this.unsent() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.syncWaiters = this.syncWaiters.filter((x) => x !== w);
          reject(new AgentError('NOT_SYNCED', `${this.unsent()} answer(s) are saved on this device but have not reached the server yet`));
        }, timeoutMs),
      };
      this.syncWaiters.push(w);
    });
  }

  get devicePublicKey(): string {
    return this.identity.publicKey;
  }

  get deviceFingerprint(): string {
    return this.fingerprint.value;
  }

  /** Stops timers and closes the outbox. The server session is left as it is (a restart recovers it). */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.keepTimer) {
      clearTimeout(this.keepTimer);
      this.keepTimer = null;
      await this.keepAnswers();
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    this.monitor?.stop();
    for (const w of this.syncWaiters) {
      clearTimeout(w.timer);
      w.reject(new AgentError('INTERNAL', 'the agent was closed'));
    }
    this.syncWaiters = [];
    await this.outbox?.close();
    await this.api.close();
  }

  // ---- the connection loop: heartbeats, recovery, backoff ------------------------------------

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.closed || this.ticking || !this.doc?.attempt) return;
    if (this.st.phase === 'finished' || this.st.phase === 'needs-login' || this.st.phase === 'blocked') return;
    if (this.st.phase === 'moved' && this.st.transfer?.done) return;
    this.ticking = true;
    const started = this.now();
    let step: Step;
    try {
      step = this.needsRecover ? await this.recoverStep() : await this.heartbeatStep();
    } catch (err) {
      this.log.error('connection step failed', { error: (err as Error).message });
      step = 'retry';
    } finally {
      this.ticking = false;
    }
    if (step === 'stop') return;
    if (step === 'retry') return this.schedule(this.backoff.next());
    this.backoff.reset();
    this.schedule(step === 'now' ? 0 : Math.max(0, this.intervalMs - (this.now() - started)));
  }

  private async heartbeatStep(): Promise<Step> {
    const attempt = this.doc!.attempt!;
    const seq = ++this.seq;
    const help = this.helpEvents.splice(0);
    const envEvents = this.monitor?.drain(50 - help.length) ?? [];
    const events = [...help, ...envEvents];
    const acks = [...this.pendingAcks].slice(0, 100);
    const t0 = this.now();
    let res;
    try {
      res = await this.api.heartbeat({
        attemptId: attempt.attemptId,
        seq,
        deviceFingerprint: this.fingerprint.value,
        signature: this.identity.sign(heartbeatSigningString(attempt.attemptId, seq)),
        ...(acks.length ? { ackInstructionIds: acks } : {}),
        ...(events.length ? { events } : {}),
      });
    } catch (e) {
      this.monitor?.requeue(envEvents);
      this.helpEvents.unshift(...help);
      return this.onRequestError(e);
    }
    const t1 = this.now();
    if (res.pauseAfterMs) this.pauseAfterMs = res.pauseAfterMs;
    this.markOnline();
    this.clock.sample(t0, t1, res.serverTime);
    for (const id of acks) this.pendingAcks.delete(id);
    const warning = res.warning ?? '';
    const status = res.status ?? (res.sessionValid ? 'active' : this.st.session.status);
    this.handleInstructions(res.instructions, status);

    if (this.st.phase === 'moved') return this.movedStep(warning, status, res.timeRemaining, res.serverTime);
    if (res.sessionValid) {
      this.lastHeard = { at: t1, timeRemaining: res.timeRemaining };
      this.st.session = { status: 'active', isLocked: false, pausedByStaff: false };
      this.setClock(res.timeRemaining, res.serverTime, true);
      this.update({ phase: 'in-exam' });
      void this.pump();
      return 'ok';
    }
    this.setClock(res.timeRemaining, res.serverTime, false);
    if (warning.startsWith('DEVICE_MISMATCH')) return this.block('DEVICE_MISMATCH', warning);
    if (warning.startsWith('REPLAYED_SEQ')) {
      // Our counter is behind the server's (state lost): recovery tells us where it stands.
      this.needsRecover = true;
      return 'now';
    }
    if (status && FINAL.includes(status)) {
      await this.finish(status);
      return 'stop';
    }
    this.st.session.status = status ?? null;
    this.st.session.isLocked = res.isLocked ?? warning.startsWith('SESSION_LOCKED');
    if (this.st.session.isLocked) {
      this.update({ phase: 'in-exam' });
      return 'ok';
    }
    if (status === 'paused' && !this.st.session.pausedByStaff) {
      // Auto-paused (we were silent too long) or paused before a crash: recovery revives it.
      this.needsRecover = true;
      this.update({ phase: 'recovering' });
      return 'now';
    }
    this.update({ phase: 'in-exam' });
    return 'ok';
  }

  /**
   * The OLD desk after a transfer: it keeps beating (so the "quit" is acknowledged) but never
   * recovers the session; once the new desk holds it (the server says it moved to another device)
   * or it ended, this desk forgets the attempt and shows its closed screen.
   */
  private async movedStep(warning: string, status: SessionStatus | null, timeRemaining: number, serverTime: number): Promise<Step> {
    this.setClock(timeRemaining, serverTime, false);
    const gone = warning.startsWith('DEVICE_MISMATCH') || (status !== null && FINAL.includes(status));
    if (!gone) {
      this.emitState();
      return 'ok';
    }
    await this.closeMovedDesk();
    return 'stop';
  }

  /** The moved exam is held by the new desk (or over): nothing of it stays here; the closed screen shows. */
  private async closeMovedDesk(): Promise<void> {
    this.stopLoop();
    this.monitor?.stop();
    await this.forgetAttempt();
    this.st.attemptId = null;
    this.st.transfer = { message: this.st.transfer?.message ?? null, at: this.st.transfer?.at ?? this.now(), done: true };
    this.update({ phase: 'moved' });
    this.log.info('the exam continues at another desk; this desk is closed');
  }

  private async recoverStep(): Promise<Step> {
    const attempt = this.doc!.attempt!;
    let r;
    try {
      r = await this.api.recover(attempt.attemptId, attempt.recoveryToken, this.identity.sign(recoverSigningString(attempt.attemptId, attempt.recoveryToken)));
    } catch (e) {
      if (e instanceof ApiError) {
        if (e.code === 'SESSION_FINISHED') {
          // Over while we were away (time up, terminated...): a heartbeat tells which.
          this.needsRecover = false;
          return 'now';
        }
        if (e.code === 'SESSION_LOCKED') {
          this.st.session.isLocked = true;
          this.update({ phase: 'recovering', lastError: toAgentError(e).toJSON() });
          this.markOnline();
          return 'ok'; // try again at the heartbeat pace until staff unlock it
        }
        if (e.code === 'INVALID_RECOVERY_TOKEN') return this.block('RECOVERY_FAILED', `the stored recovery token was refused: ${e.message}`);
        if (e.code === 'DEVICE_MISMATCH') return this.block('DEVICE_MISMATCH', e.message);
        if (e.status === 404) {
          this.log.error('the server does not know our attempt; dropping it', { attemptId: attempt.attemptId });
          await this.forgetAttempt();
          this.update({ phase: 'logged-in', lastError: { code: 'NOT_FOUND', message: 'the server does not know the exam attempt this kiosk was running' } });
          return 'stop';
        }
      }
      return this.onRequestError(e);
    }
    // The old token is dead the moment the server answered: store the new one before anything else.
    attempt.recoveryToken = r.recoveryToken;
    await this.persist();
    this.needsRecover = false;
    this.st.offline!.continueNeeded = false;
    this.markOnline();
    this.seq = Math.max(this.seq, r.lastHeartbeatSeq);
    this.st.session = { status: r.status, isLocked: false, pausedByStaff: r.status === 'paused' };
    this.lastHeard = { at: this.now(), timeRemaining: r.timeRemaining };
    this.clearHold();
    this.setClock(r.timeRemaining, this.clock.serverNow(), r.status === 'active');
    await this.restoreFromServer(attempt.attemptId);
    const pendingReplayed = this.outbox.pendingCount(attempt.attemptId);
    this.update({ phase: 'in-exam', lastError: null });
    this.emit({ type: 'recovered', attemptId: attempt.attemptId, answersRestored: r.answersRestored, lastSaveTime: r.lastSaveTime, pendingReplayed, status: r.status });
    this.log.info('attempt recovered', { attemptId: attempt.attemptId, status: r.status, answersRestored: r.answersRestored, pendingReplayed });
    void this.pump();
    void this.fetchOfflineKey();
    return 'now';
  }

  /** After a recovery: the server's answers fill in what this device's outbox does not hold newer. */
  private async restoreFromServer(attemptId: string): Promise<void> {
    try {
      const { answers } = await this.api.answers(attemptId);
      let maxSeq = 0;
      for (const a of answers) {
        maxSeq = Math.max(maxSeq, a.clientSeq);
        // Ignored if the attempt is no longer the one held (it ended while this was on its way).
        this.answerCache.put(attemptId, { questionId: a.questionId, value: a.value, clientSeq: a.clientSeq, synced: true });
      }
      // The server holds clientSeqs this high: never number a new answer at or below them.
      await this.outbox.raiseSeqFloor(maxSeq);
      this.keepAnswersSoon();
    } catch (err) {
      this.log.warn('could not read the saved answers back', { error: (err as Error).message });
    }
  }

  private onRequestError(e: unknown): Step {
    if (e instanceof NetworkError) {
      this.markOffline();
      return 'retry';
    }
    if (e instanceof ApiError) {
      this.markOnline();
      if (e.status === 401 && this.st.phase === 'moved') {
        // The candidate signed in at the new desk (which ends this desk's login): this desk is done.
        void this.closeMovedDesk().catch((err: unknown) => this.log.error('could not close the moved desk', { error: (err as Error).message }));
        return 'stop';
      }
      if (e.status === 401) {
        this.stopLoop();
        this.update({ phase: 'needs-login', lastError: { code: 'UNAUTHENTICATED', message: 'your sign-in has ended; sign in again to continue the exam' } });
        return 'stop';
      }
      this.log.warn('server refused a request', { status: e.status, code: e.code, message: e.message });
      this.update({ lastError: toAgentError(e).toJSON() });
      return 'retry';
    }
    this.log.error('unexpected error', { error: (e as Error)?.message });
    return 'retry';
  }

  private block(code: 'DEVICE_MISMATCH' | 'RECOVERY_FAILED', message: string): Step {
    this.stopLoop();
    const error = { code, message } as const;
    this.update({ phase: 'blocked', lastError: error });
    this.emit({ type: 'error', error });
    return 'stop';
  }

  private stopLoop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private handleInstructions(list: Instruction[], status: SessionStatus | null): void {
    for (const ins of list) {
      this.pendingAcks.add(ins.id);
      if (this.handledInstructions.has(ins.id)) continue;
      this.handledInstructions.add(ins.id);
      if (this.instructionsBefore !== null && Date.parse(ins.issuedAt) < this.instructionsBefore) {
        this.log.info('instruction meant for the previous desk; acknowledged, not followed', { id: ins.id, type: ins.type });
        continue;
      }
      this.log.info('instruction from staff', { id: ins.id, type: ins.type });
      switch (ins.type) {
        case 'lock':
          this.st.session.isLocked = true;
          break;
        case 'unlock':
          this.st.session.isLocked = false;
          break;
        case 'pause':
          this.st.session.pausedByStaff = true;
          this.st.session.status = 'paused';
          break;
        case 'resume':
          this.st.session.pausedByStaff = false;
          break;
        case 'message':
          if (ins.message) this.emit({ type: 'message', instructionId: ins.id, message: ins.message });
          break;
        case 'help_seen': {
          const attempt = this.doc?.attempt;
          if (attempt?.help?.requestedAt != null) {
            attempt.help = { requestedAt: attempt.help.requestedAt, seenAt: this.now() };
            this.st.help = { ...attempt.help };
            void this.persist().catch((err: unknown) => this.log.error('could not store the help state', { error: (err as Error).message }));
          }
          break;
        }
        case 'quit':
          // A quit for a session that goes on is the transfer's (a terminate comes with its final status):
          // this desk shows where to go, stops taking answers, and closes once the new desk holds the exam.
          if (status === null || !FINAL.includes(status)) {
            this.st.transfer = { message: ins.message ?? null, at: this.now(), done: false };
            this.clearHold();
            this.update({ phase: 'moved' });
          }
          break;
        default:
          // submit / quit: the session's status (completed / terminated) arrives with it; the app decides.
          break;
      }
      this.emit({ type: 'instruction', instruction: ins });
    }
  }

  // ---- the outbox sender ---------------------------------------------------------------------

  /** Sends unsent answers one at a time, oldest first, until none is left or something stops it. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.pumpOnce();
      } while (this.pumpAgain && this.canSend());
    } finally {
      this.pumping = false;
    }
  }

  private canSend(): boolean {
    const s = this.st;
    return !this.closed && !!this.doc?.attempt && !this.needsRecover && s.connection !== 'offline' && s.session.status === 'active' && !s.session.isLocked && s.phase === 'in-exam';
  }

  private async pumpOnce(): Promise<void> {
    while (this.canSend()) {
      const attemptId = this.doc!.attempt!.attemptId;
      const rec = this.outbox.nextToSend(attemptId);
      if (!rec) break;
      try {
        await this.api.saveAnswer(attemptId, rec.questionId, rec.value, rec.clientSeq);
      } catch (e) {
        if (e instanceof NetworkError) {
          this.markOffline();
          this.schedule(this.backoff.next());
          return;
        }
        if (!(e instanceof ApiError)) throw e;
        this.markOnline();
        if (e.code === 'SESSION_NOT_ACTIVE') {
          this.st.session.status = 'paused';
          if (!this.st.session.pausedByStaff) {
            this.needsRecover = true;
            this.update({ phase: 'recovering' });
            this.schedule(0);
          }
          return;
        }
        if (e.code === 'SESSION_LOCKED') {
          this.update({ session: { ...this.st.session, isLocked: true } });
          return;
        }
        if (e.code === 'SESSION_FINISHED') {
          this.schedule(0); // the heartbeat learns the final status
          return;
        }
        if (e.status === 401) {
          this.onRequestError(e);
          return;
        }
        if (e.status === 400 || e.status === 404) {
          // The server will never take this one (unknown question, wrong shape): drop it, say so.
          this.outbox.ack(attemptId, rec.questionId, rec.clientSeq);
          const error = toAgentError(e).toJSON();
          this.log.error('answer refused for good', { questionId: rec.questionId, clientSeq: rec.clientSeq, code: e.code });
          this.emit({ type: 'answer-rejected', questionId: rec.questionId, clientSeq: rec.clientSeq, error });
          this.afterAck();
          continue;
        }
        this.update({ lastError: toAgentError(e).toJSON() });
        return; // 429 / 5xx: the next heartbeat pumps again
      }
      this.markOnline();
      this.outbox.ack(attemptId, rec.questionId, rec.clientSeq);
      this.answerCache.markSynced(attemptId, rec.questionId, rec.clientSeq);
      this.keepAnswersSoon();
      const at = this.now();
      this.st.saves.lastSyncedAt = at;
      this.emit({ type: 'synced', questionId: rec.questionId, clientSeq: rec.clientSeq, at });
      this.afterAck();
    }
  }

  private afterAck(): void {
    this.refreshPending();
    this.emitState();
    void this.outbox.maybeCompact()?.catch((err: unknown) => this.log.error('outbox compaction failed', { error: (err as Error).message }));
    if (this.unsent() === 0) {
      for (const w of this.syncWaiters.splice(0)) {
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  private unsent(): number {
    const a = this.doc?.attempt;
    return a ? this.outbox.pendingCount(a.attemptId) : 0;
  }

  // ---- endings -------------------------------------------------------------------------------

  private async finish(status: SessionStatus): Promise<void> {
    const attempt = this.doc?.attempt;
    this.stopLoop();
    this.monitor?.stop();
    this.st.session = { status, isLocked: false, pausedByStaff: false };
    this.st.clock = { ...this.st.clock, running: false, deadlineAt: null };
    this.clearHold();
    if (attempt) {
      const lost = this.outbox.pendingCount(attempt.attemptId);
      if (lost > 0) this.log.warn('the attempt ended with answers the server never took', { attemptId: attempt.attemptId, lost });
      await this.forgetAttempt();
    }
    this.update({ phase: 'finished' });
    this.emit({ type: 'finished', status });
    for (const w of this.syncWaiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new AgentError('SESSION_FINISHED', `the session is ${status}`));
    }
  }

  /**
   * Keeps a sealed copy of the acknowledged answers of the attempt running here, written at most
   * every 500 ms (one write for a burst of acknowledgements), so a kiosk restarted while the server
   * cannot be reached still shows what was saved; forgotten with the attempt and at sign-out.
   */
  private keepAnswersSoon(): void {
    if (this.keepTimer || this.closed) return;
    this.keepTimer = setTimeout(() => {
      this.keepTimer = null;
      void this.keepAnswers();
    }, 500);
    this.keepTimer.unref?.();
  }

  private async keepAnswers(): Promise<void> {
    const attemptId = this.doc?.attempt?.attemptId;
    if (!attemptId) return;
    const answers = this.answerCache.list(attemptId).filter((a) => a.synced).map((a) => ({ questionId: a.questionId, value: a.value, clientSeq: a.clientSeq }));
    try {
      await this.answersFile.write({ v: 1, attemptId, answers });
      // The attempt ended (or the candidate signed out) while this was being written: it goes too.
      if (this.doc?.attempt?.attemptId !== attemptId) await rm(join(this.o.dataDir, ANSWERS_FILE), { force: true });
    } catch (err) {
      this.log.warn('could not keep a copy of the saved answers', { error: (err as Error).message });
    }
  }

  private async dropKeptAnswers(): Promise<void> {
    if (this.keepTimer) clearTimeout(this.keepTimer);
    this.keepTimer = null;
    await rm(join(this.o.dataDir, ANSWERS_FILE), { force: true });
  }

  private async forgetAttempt(): Promise<void> {
    const attempt = this.doc?.attempt;
    if (!attempt || !this.doc) return;
    this.outbox.dropAttempt(attempt.attemptId);
    this.doc.attempt = null;
    this.answerCache.clear();
    await this.dropKeptAnswers();
    this.needsRecover = false;
    this.st.offline = { ...this.st.offline!, continueNeeded: false, unlockedOffline: false };
    await this.persist();
    await this.outbox.compact();
    this.refreshPending();
  }

  // ---- state ---------------------------------------------------------------------------------

  private async persist(): Promise<void> {
    if (this.doc) await this.sessionFile.write(this.doc);
  }

  private requireServer(): string {
    if (!this.serverUrl) throw new AgentError('NOT_CONFIGURED', 'No exam server is set on this kiosk yet.');
    return this.serverUrl;
  }

  private requireLogin(): SessionDoc {
    this.assertOpen();
    this.requireServer();
    if (!this.doc || this.st.phase === 'needs-login') throw new AgentError('NOT_LOGGED_IN', 'sign in first');
    return this.doc;
  }

  private assertOpen(): void {
    if (this.closed) throw new AgentError('INTERNAL', 'the agent is closed');
    if (!this.outbox) throw new AgentError('INTERNAL', 'call init() first');
  }

  /** Records the error as the last one and returns it as an AgentError to throw. */
  private fail(e: unknown): AgentError {
    if (e instanceof NetworkError) this.markOffline();
    else if (e instanceof ApiError) this.markOnline();
    const err = toAgentError(e);
    this.update({ lastError: err.toJSON() });
    return err;
  }

  private setClock(timeRemaining: number, serverTime: number, running: boolean): void {
    this.st.clock = {
      timeRemaining,
      running,
      deadlineAt: running ? this.clock.toLocal(serverTime) + timeRemaining * 1000 : null,
      offsetMs: this.clock.offsetMs,
    };
  }

  private markOffline(): void {
    if (this.st.connection === 'offline') return;
    const at = this.now();
    this.update({ connection: 'offline', offlineSince: at });
    this.emit({ type: 'offline', at });
    this.armHold();
  }

  private markOnline(): void {
    // The server speaks again: its lock state rules, not an offline unlock.
    if (this.st.offline?.unlockedOffline) this.st.offline.unlockedOffline = false;
    if (this.st.connection === 'online') return;
    const since = this.st.offlineSince;
    const at = this.now();
    this.holdReleased = false;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    // Back online: the hold goes; the clock stays stopped until the server says it runs again.
    if (this.st.hold) this.st.hold = null;
    this.update({ connection: 'online', offlineSince: null });
    if (since !== null) this.emit({ type: 'online', at, offlineMs: Math.max(0, at - since) });
  }

  // ---- offline past the pause threshold: the exam is held -------------------------------------

  /** The server's pause threshold: what it told us, else its default (3 missed heartbeats). */
  private holdAfterMs(): number {
    return this.pauseAfterMs ?? 3 * this.intervalMs;
  }

  /**
   * Offline with an attempt running: once the server would have paused the session (silent for its
   * threshold since the last heartbeat it took), the clock stops at what the server will charge (the
   * time left at the last heartbeat) and no answer is taken: offline time is not extra exam time.
   */
  private armHold(): void {
    if (this.holdTimer || this.holdReleased || !this.doc?.attempt || this.st.hold) return;
    if (this.st.phase !== 'in-exam' && this.st.phase !== 'recovering') return;
    const from = this.lastHeard?.at ?? this.now();
    const delay = Math.max(0, from + this.holdAfterMs() - this.now());
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      this.applyHold();
    }, delay);
    this.holdTimer.unref?.();
  }

  private applyHold(): void {
    if (this.closed || this.st.connection !== 'offline' || this.holdReleased || !this.doc?.attempt) return;
    if (this.st.phase !== 'in-exam' && this.st.phase !== 'recovering') return;
    const left = this.lastHeard?.timeRemaining ?? this.st.clock.timeRemaining;
    this.st.clock = { ...this.st.clock, timeRemaining: left, running: false, deadlineAt: null };
    this.log.warn('offline past the pause threshold: the exam is held until the connection is back', { afterMs: this.holdAfterMs() });
    this.update({ hold: 'offline' });
  }

  private clearHold(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    this.holdReleased = false;
    this.st.hold = null;
  }

  /**
   * The hook for staff letting the candidate go on while the server stays unreachable (an offline
   * staff code, checked by the caller): the hold lifts and the local clock runs from the time left,
   * until the connection is back (then the server's clock is the only clock again).
   */
  releaseHold(): KioskState {
    if (!this.st.hold) {
      // Offline and not held yet: staff let the candidate go on, so no hold comes until the connection is back.
      if (this.st.connection === 'offline') {
        this.holdReleased = true;
        if (this.holdTimer) clearTimeout(this.holdTimer);
        this.holdTimer = null;
      }
      return this.state();
    }
    this.holdReleased = true;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    const left = this.st.clock.timeRemaining;
    this.st.clock = { ...this.st.clock, running: left !== null && left > 0, deadlineAt: left !== null ? this.now() + left * 1000 : null };
    this.log.warn('staff let the candidate continue offline');
    this.update({ hold: null });
    return this.state();
  }

  private refreshPending(): void {
    this.st.saves.pending = this.unsent();
  }

  private update(patch: Partial<KioskState>): void {
    Object.assign(this.st, patch);
    this.emitState();
  }

  private emitState(): void {
    this.stateListeners.emit(this.state());
  }

  private emit(e: KioskEvent): void {
    this.eventListeners.emit(e);
  }
}

/** Creates an agent and runs `init()` (identity, outbox, crash recovery). */
export async function createAgent(o: AgentOptions): Promise<Agent> {
  const agent = new Agent(o);
  await agent.init();
  return agent;
}
