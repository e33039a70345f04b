import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, foreignKey, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The PostgreSQL schema: table by table and column by column the same as adapters/sqlite/schema.ts
 * (same SQL names, same TypeScript names), so both adapters hand the services identical records.
 *
 * - Every SQLite integer is a bigint read as a JS number (epoch milliseconds, sequence numbers up
 *   to Number.MAX_SAFE_INTEGER); booleans are booleans; SQLite's REAL is a double.
 * - JSON is stored as text, exactly the string SQLite stores.
 * - What SQLite's single writer gave for free is a constraint here: names unique without regard to
 *   case, one seat per candidate, one active session per candidate, foreign keys.
 */
/** SQLite's 64-bit integer: epoch milliseconds, durations, counts, sequence numbers. */
const int = (name: string) => bigint(name, { mode: 'number' });

export const staffUsers = pgTable(
  'staff_users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull().unique(),
    displayName: text('display_name').notNull().default(''),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['admin', 'proctor'] }).notNull(),
    createdAt: int('created_at').notNull(),
    passwordChangedAt: int('password_changed_at').notNull(),
    disabledAt: int('disabled_at'),
  },
  (t) => [uniqueIndex('staff_users_username_lower').on(sql`lower(${t.username})`)],
);

export const centers = pgTable(
  'centers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull().unique(),
    address: text('address').notNull().default(''),
    createdAt: int('created_at').notNull(),
    /** IANA time zone and BCP 47 locale the console shows this centre's dates and times in. */
    timeZone: text('time_zone').notNull().default('UTC'),
    locale: text('locale').notNull().default('en-GB'),
  },
  (t) => [uniqueIndex('centers_name_lower').on(sql`lower(${t.name})`)],
);

export const rooms = pgTable(
  'rooms',
  {
    id: text('id').primaryKey(),
    centerId: text('center_id').notNull(),
    name: text('name').notNull(),
    capacity: int('capacity').notNull().default(0),
    createdAt: int('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('rooms_center_name').on(t.centerId, t.name),
    uniqueIndex('rooms_center_name_lower').on(t.centerId, sql`lower(${t.name})`),
    foreignKey({ name: 'rooms_center_fk', columns: [t.centerId], foreignColumns: [centers.id] }),
  ],
);

/** Which centers (whole center when roomId is null) or rooms a proctor may see and act on. */
export const staffAssignments = pgTable(
  'staff_assignments',
  {
    id: text('id').primaryKey(),
    staffId: text('staff_id').notNull(),
    centerId: text('center_id').notNull(),
    roomId: text('room_id'),
    createdAt: int('created_at').notNull(),
  },
  (t) => [
    index('staff_assignments_staff').on(t.staffId),
    index('staff_assignments_center').on(t.centerId),
    index('staff_assignments_room').on(t.roomId),
    foreignKey({ name: 'staff_assignments_staff_fk', columns: [t.staffId], foreignColumns: [staffUsers.id] }),
    foreignKey({ name: 'staff_assignments_center_fk', columns: [t.centerId], foreignColumns: [centers.id] }),
    foreignKey({ name: 'staff_assignments_room_fk', columns: [t.roomId], foreignColumns: [rooms.id] }),
  ],
);

/** Small key → JSON settings (role session policies...). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: int('updated_at').notNull(),
  updatedBy: text('updated_by'),
});

/** Login sessions of every role (staff and candidates). */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    subjectType: text('subject_type', { enum: ['staff', 'candidate'] }).notNull(),
    /** staff_users.id or registrations.id */
    userId: text('user_id').notNull(),
    role: text('role', { enum: ['admin', 'proctor', 'candidate'] }).notNull(),
    examId: text('exam_id'),
    candidateId: text('candidate_id'),
    userAgent: text('user_agent').notNull().default(''),
    /** Parsed from the user agent: mobile | tablet | desktop | bot | unknown */
    deviceType: text('device_type').notNull().default('unknown'),
    /** Human label, e.g. "iPhone · Safari 17" */
    deviceName: text('device_name').notNull().default(''),
    browser: text('browser').notNull().default(''),
    os: text('os').notNull().default(''),
    ipAddress: text('ip_address').notNull().default(''),
    createdAt: int('created_at').notNull(),
    lastActivity: int('last_activity').notNull(),
    expiresAt: int('expires_at').notNull(),
    idleTimeoutMs: int('idle_timeout_ms').notNull(),
    revokedAt: int('revoked_at'),
    revokeReason: text('revoke_reason'),
    /**
     * A candidate login tied to the exam attempt it serves: no idle or absolute deadline while that
     * attempt can still continue; when the attempt ends, it gets a short deadline and this is cleared.
     */
    pinnedAttemptId: text('pinned_attempt_id'),
  },
  (t) => [index('auth_sessions_user').on(t.userId, t.revokedAt), index('auth_sessions_pinned').on(t.pinnedAttemptId)],
);

export const exams = pgTable(
  'exams',
  {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  durationMinutes: int('duration_minutes').notNull(),
  /** JSON array of questions, scoring keys included (never sent to candidates). */
  questions: text('questions').notNull(),
  /** draft: invisible to candidates; open: candidates may start; closed: no new starts. */
  status: text('status', { enum: ['draft', 'open', 'closed'] }).notNull().default('open'),
  opensAt: int('opens_at'),
  closesAt: int('closes_at'),
  /** JSON of per-exam policy overrides (missed heartbeats, recovery attempts...). */
  policy: text('policy').notNull().default('{}'),
  createdAt: int('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  updatedAt: int('updated_at'),
  /** The short code candidates type (6 characters of an unambiguous alphabet, upper case, unique). */
  code: text('code'),
  },
  (t) => [uniqueIndex('exams_code').on(t.code)],
);

export const candidates = pgTable('candidates', {
  candidateId: text('candidate_id').primaryKey(),
  name: text('name').notNull(),
  createdAt: int('created_at').notNull(),
});

export const registrations = pgTable(
  'registrations',
  {
    id: text('id').primaryKey(),
    examId: text('exam_id').notNull(),
    candidateId: text('candidate_id').notNull(),
    /** HMAC-SHA256 of the access code under the server's secret key. */
    accessCodeHash: text('access_code_hash').notNull(),
    centerId: text('center_id'),
    roomId: text('room_id'),
    seat: text('seat'),
    createdAt: int('created_at').notNull(),
    /** Accommodations: planned extra time (added to the allowed time at start) and rest breaks, in minutes. */
    extraTimeMinutes: int('extra_time_minutes').notNull().default(0),
    restBreakMinutes: int('rest_break_minutes').notNull().default(0),
  },
  (t) => [
    uniqueIndex('registrations_exam_candidate').on(t.examId, t.candidateId),
    index('registrations_room').on(t.roomId),
    index('registrations_center').on(t.centerId),
    index('registrations_candidate').on(t.candidateId),
    // One candidate per seat of an exam (the same label in another room or center is another seat).
    uniqueIndex('registrations_one_per_seat')
      .on(t.examId, sql`coalesce(center_id, '')`, sql`coalesce(room_id, '')`, t.seat)
      .where(sql`seat IS NOT NULL`),
    foreignKey({ name: 'registrations_exam_fk', columns: [t.examId], foreignColumns: [exams.id] }),
    foreignKey({ name: 'registrations_candidate_fk', columns: [t.candidateId], foreignColumns: [candidates.candidateId] }),
  ],
);

export const examSessions = pgTable(
  'exam_sessions',
  {
    id: text('id').primaryKey(),
    attemptId: text('attempt_id').notNull().unique(),
    candidateId: text('candidate_id').notNull(),
    examId: text('exam_id').notNull(),
    status: text('status', { enum: ['active', 'paused', 'expired', 'completed', 'terminated'] }).notNull(),
    isLocked: boolean('is_locked').notNull().default(false),
    lockReason: text('lock_reason'),
    allowedMs: int('allowed_ms').notNull(),
    usedMs: int('used_ms').notNull().default(0),
    runningSince: int('running_since'),
    pausedAt: int('paused_at'),
    pauseKind: text('pause_kind', { enum: ['candidate', 'auto', 'staff'] }),
    recoveryAttempts: int('recovery_attempts').notNull().default(0),
    recoveryTokenHash: text('recovery_token_hash').notNull(),
    endedAt: int('ended_at'),
    endReason: text('end_reason', { enum: ['submitted', 'time_up', 'force_submit', 'paused_ttl', 'terminated'] }),
    startedAt: int('started_at').notNull(),
    lastActivityAt: int('last_activity_at').notNull(),
    devicePublicKey: text('device_public_key'),
    deviceFingerprint: text('device_fingerprint'),
    browserInfo: text('browser_info').notNull().default(''),
    ipAddress: text('ip_address').notNull().default(''),
    lastSeq: int('last_seq').notNull().default(0),
    heartbeatCount: int('heartbeat_count').notNull().default(0),
    /** Where the candidate sits (copied from the registration at start; changed by a transfer). */
    centerId: text('center_id'),
    roomId: text('room_id'),
    seat: text('seat'),
    /** Time paused by staff (incident time), in ms. */
    incidentMs: int('incident_ms').notNull().default(0),
    /** Transfer to another desk: hash of the one-time resume code, and when it stops working. */
    resumeCodeHash: text('resume_code_hash'),
    resumeCodeExpiresAt: int('resume_code_expires_at'),
    /** Wrong resume codes entered against the current code (five kill it). */
    resumeCodeFailures: int('resume_code_failures').notNull().default(0),
    /** The recovery token the current one replaced, and when (a lost answer's retry gets the same answer). */
    prevRecoveryTokenHash: text('prev_recovery_token_hash'),
    recoveryRotatedAt: int('recovery_rotated_at'),
    /** Bumped by each transfer; keys of earlier generations are refused. */
    deviceGeneration: int('device_generation').notNull().default(0),
    updatedAt: int('updated_at').notNull(),
  },
  (t) => [
    // The database itself guarantees one active session per candidate, whatever the concurrency.
    uniqueIndex('exam_sessions_one_active_per_candidate').on(t.candidateId).where(sql`status = 'active'`),
    // One attempt per candidate and exam.
    uniqueIndex('exam_sessions_one_attempt_per_exam').on(t.candidateId, t.examId),
    index('exam_sessions_status_attempt').on(t.status, t.attemptId),
    index('exam_sessions_room').on(t.centerId, t.roomId),
    index('exam_sessions_exam').on(t.examId),
    index('exam_sessions_started').on(t.startedAt, t.attemptId),
    foreignKey({ name: 'exam_sessions_exam_fk', columns: [t.examId], foreignColumns: [exams.id] }),
  ],
);

export const answers = pgTable(
  'answers',
  {
    attemptId: text('attempt_id').notNull(),
    questionId: text('question_id').notNull(),
    /** JSON of the answer value. */
    value: text('value').notNull(),
    clientSeq: int('client_seq').notNull(),
    savedAt: int('saved_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'answers_pkey', columns: [t.attemptId, t.questionId] }),
    foreignKey({ name: 'answers_attempt_fk', columns: [t.attemptId], foreignColumns: [examSessions.attemptId] }),
  ],
);

/** Append-only: rows are inserted, never updated or deleted (triggers refuse it; migration 0001). */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: int('at').notNull(),
    actorType: text('actor_type', { enum: ['staff', 'candidate', 'system', 'anonymous'] }).notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    attemptId: text('attempt_id'),
    reason: text('reason'),
    detail: text('detail'),
    ip: text('ip'),
  },
  (t) => [index('audit_events_attempt').on(t.attemptId, t.id)],
);

/** Alerts may name an attempt that is not (or no longer) a session here: no foreign keys. */
export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    at: int('at').notNull(),
    attemptId: text('attempt_id'),
    candidateId: text('candidate_id'),
    examId: text('exam_id'),
    centerId: text('center_id'),
    roomId: text('room_id'),
    kind: text('kind').notNull(),
    severity: text('severity', { enum: ['info', 'warning', 'critical'] }).notNull(),
    message: text('message').notNull(),
    detail: text('detail'),
    acknowledgedAt: int('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    /** How many times it was raised while open (coalesced), and the latest time. */
    count: int('count').notNull().default(1),
    lastAt: int('last_at'),
  },
  (t) => [
    index('alerts_attempt').on(t.attemptId, t.at),
    index('alerts_center').on(t.centerId, t.at),
    index('alerts_at').on(t.at, t.id),
    index('alerts_open').on(t.attemptId).where(sql`acknowledged_at IS NULL`),
    // One open alert per attempt and kind: a repeat adds to it (database growth is bounded).
    uniqueIndex('alerts_open_per_kind').on(t.attemptId, t.kind).where(sql`acknowledged_at IS NULL AND attempt_id IS NOT NULL`),
  ],
);

/** What staff asked of a kiosk, delivered in heartbeat answers until acknowledged (no foreign key, like alerts). */
export const instructions = pgTable(
  'instructions',
  {
    id: text('id').primaryKey(),
    attemptId: text('attempt_id').notNull(),
    type: text('type', { enum: ['lock', 'unlock', 'pause', 'resume', 'message', 'submit', 'quit', 'help_seen'] }).notNull(),
    message: text('message'),
    reason: text('reason'),
    issuedAt: int('issued_at').notNull(),
    issuedBy: text('issued_by').notNull(),
    deliveredAt: int('delivered_at'),
    ackedAt: int('acked_at'),
    /**
     * The session's device generation when it was issued: only that device receives and may
     * acknowledge it (a "quit" sent to the old desk of a transfer never reaches the new one).
     */
    deviceGeneration: int('device_generation').notNull().default(0),
    /** The whole-room action that issued it (counts its deliveries), if any. */
    batchId: text('batch_id'),
  },
  (t) => [index('instructions_pending').on(t.attemptId, t.ackedAt), index('instructions_unacked').on(t.attemptId).where(sql`acked_at IS NULL`), index('instructions_batch').on(t.batchId)],
);

/**
 * The sealed record of a finished attempt (per-candidate isolation seed): metadata, device,
 * answers with times and the full event timeline, with a hash chain over the events.
 */
export const archives = pgTable('archives', {
  attemptId: text('attempt_id').primaryKey(),
  sealedAt: int('sealed_at').notNull(),
  /** Canonical JSON of the archive. */
  content: text('content').notNull(),
  /** Hash of the last event in the chain; verification recomputes it. */
  chainHead: text('chain_head').notNull(),
  score: doublePrecision('score'),
  maxScore: doublePrecision('max_score'),
});

/**
 * The keyed seal of each archive, apart from it (see the SQLite schema): a statement of what was
 * sealed and its HMAC under a key derived from the server secret. Append-only like the archives.
 */
export const archiveSeals = pgTable('archive_seals', {
  attemptId: text('attempt_id').primaryKey(),
  sealedAt: int('sealed_at').notNull(),
  statement: text('statement').notNull(),
  mac: text('mac').notNull(),
});

/** Offline bundles staff uploaded: as adapters/sqlite/schema.ts. */
export const offlineBundles = pgTable(
  'offline_bundles',
  {
    id: text('id').primaryKey(),
    attemptId: text('attempt_id').notNull(),
    sha256: text('sha256').notNull(),
    devicePublicKey: text('device_public_key').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    receivedAt: int('received_at').notNull(),
    exportedAt: int('exported_at').notNull(),
    answers: int('answers').notNull(),
    applied: int('applied').notNull(),
    submitted: boolean('submitted').notNull(),
  },
  (t) => [
    uniqueIndex('offline_bundles_attempt_sha').on(t.attemptId, t.sha256),
    foreignKey({ name: 'offline_bundles_session_fk', columns: [t.attemptId], foreignColumns: [examSessions.attemptId] }),
  ],
);

/** "ID checked" per registration; the audit keeps the history. */
export const idChecks = pgTable(
  'id_checks',
  {
    examId: text('exam_id').notNull(),
    candidateId: text('candidate_id').notNull(),
    checkedAt: int('checked_at').notNull(),
    checkedBy: text('checked_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.examId, t.candidateId] })],
);

/** The incident log: free-text notes per candidate (attempt) or per room. Append-only (triggers). */
export const incidentNotes = pgTable(
  'incident_notes',
  {
    id: text('id').primaryKey(),
    at: int('at').notNull(),
    authorId: text('author_id').notNull(),
    authorName: text('author_name').notNull(),
    examId: text('exam_id'),
    centerId: text('center_id'),
    roomId: text('room_id'),
    candidateId: text('candidate_id'),
    attemptId: text('attempt_id'),
    text: text('text').notNull(),
  },
  (t) => [index('incident_notes_room').on(t.centerId, t.roomId, t.at), index('incident_notes_attempt').on(t.attemptId)],
);

/** A proctor let a candidate start despite failed pre-exam checks. Append-only (triggers). */
export const checkWaivers = pgTable(
  'check_waivers',
  {
    id: text('id').primaryKey(),
    examId: text('exam_id').notNull(),
    candidateId: text('candidate_id').notNull(),
    at: int('at').notNull(),
    grantedBy: text('granted_by').notNull(),
    grantedByName: text('granted_by_name').notNull(),
    reason: text('reason').notNull(),
    checks: text('checks').notNull(),
  },
  (t) => [index('check_waivers_candidate').on(t.examId, t.candidateId, t.at)],
);

/**
 * Manual marks of text answers, an append-only addendum to an attempt's sealed archive: each row
 * carries the archive's chain head and an HMAC (server secret) over (attempt, chain head, previous
 * mark's MAC, the mark), verified on every read. The latest mark of a question counts.
 */
export const marks = pgTable(
  'marks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    attemptId: text('attempt_id').notNull(),
    questionId: text('question_id').notNull(),
    points: doublePrecision('points').notNull(),
    comment: text('comment').notNull().default(''),
    markedBy: text('marked_by').notNull(),
    markedAt: int('marked_at').notNull(),
    chainHead: text('chain_head').notNull(),
    prevMac: text('prev_mac'),
    mac: text('mac').notNull(),
  },
  (t) => [index('marks_attempt').on(t.attemptId, t.id)],
);
