import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** All times are epoch milliseconds (integer). Secrets are stored only as hashes. */

export const staffUsers = sqliteTable(
  'staff_users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull().unique(),
    displayName: text('display_name').notNull().default(''),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['admin', 'proctor'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    passwordChangedAt: integer('password_changed_at').notNull(),
    disabledAt: integer('disabled_at'),
  },
  // Usernames, center names and room names are unique without regard to case, as on PostgreSQL.
  () => [uniqueIndex('staff_users_username_lower').on(sql`lower(username)`)],
);

export const centers = sqliteTable(
  'centers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull().unique(),
    address: text('address').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    /** IANA time zone and BCP 47 locale the console shows this centre's dates and times in. */
    timeZone: text('time_zone').notNull().default('UTC'),
    locale: text('locale').notNull().default('en-GB'),
  },
  () => [uniqueIndex('centers_name_lower').on(sql`lower(name)`)],
);

export const rooms = sqliteTable(
  'rooms',
  {
    id: text('id').primaryKey(),
    centerId: text('center_id').notNull(),
    name: text('name').notNull(),
    capacity: integer('capacity').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('rooms_center_name').on(t.centerId, t.name), uniqueIndex('rooms_center_name_lower').on(t.centerId, sql`lower(name)`)],
);

/** Which centers (whole center when roomId is null) or rooms a proctor may see and act on. */
export const staffAssignments = sqliteTable(
  'staff_assignments',
  {
    id: text('id').primaryKey(),
    staffId: text('staff_id').notNull(),
    centerId: text('center_id').notNull(),
    roomId: text('room_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('staff_assignments_staff').on(t.staffId)],
);

/** Small key → JSON settings (role session policies...). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by'),
});

/** Login sessions of every role (staff and candidates). */
export const authSessions = sqliteTable(
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
    createdAt: integer('created_at').notNull(),
    lastActivity: integer('last_activity').notNull(),
    expiresAt: integer('expires_at').notNull(),
    idleTimeoutMs: integer('idle_timeout_ms').notNull(),
    revokedAt: integer('revoked_at'),
    revokeReason: text('revoke_reason'),
    /**
     * A candidate login tied to the exam attempt it serves: no idle or absolute deadline while that
     * attempt can still continue; when the attempt ends, it gets a short deadline and this is cleared.
     */
    pinnedAttemptId: text('pinned_attempt_id'),
  },
  (t) => [index('auth_sessions_user').on(t.userId, t.revokedAt), index('auth_sessions_pinned').on(t.pinnedAttemptId)],
);

export const exams = sqliteTable(
  'exams',
  {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  durationMinutes: integer('duration_minutes').notNull(),
  /** JSON array of questions, scoring keys included (never sent to candidates). */
  questions: text('questions').notNull(),
  /** draft: invisible to candidates; open: candidates may start; closed: no new starts. */
  status: text('status', { enum: ['draft', 'open', 'closed'] }).notNull().default('open'),
  opensAt: integer('opens_at'),
  closesAt: integer('closes_at'),
  /** JSON of per-exam policy overrides (missed heartbeats, recovery attempts...). */
  policy: text('policy').notNull().default('{}'),
  createdAt: integer('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  updatedAt: integer('updated_at'),
  /** The short code candidates type (6 characters of an unambiguous alphabet, upper case, unique). */
  code: text('code'),
  },
  (t) => [uniqueIndex('exams_code').on(t.code)],
);

export const candidates = sqliteTable('candidates', {
  candidateId: text('candidate_id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const registrations = sqliteTable(
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
    createdAt: integer('created_at').notNull(),
    /** Accommodations: planned extra time (added to the allowed time at start) and rest breaks, in minutes. */
    extraTimeMinutes: integer('extra_time_minutes').notNull().default(0),
    restBreakMinutes: integer('rest_break_minutes').notNull().default(0),
  },
  (t) => [
    uniqueIndex('registrations_exam_candidate').on(t.examId, t.candidateId),
    index('registrations_room').on(t.roomId),
    // One candidate per seat of an exam (the same label in another room or center is another seat).
    // (No comma inside an expression: drizzle-kit's SQLite generator splits index expressions on commas.)
    uniqueIndex('registrations_one_per_seat')
      .on(t.examId, sql`(CASE WHEN center_id IS NULL THEN '' ELSE center_id END)`, sql`(CASE WHEN room_id IS NULL THEN '' ELSE room_id END)`, t.seat)
      .where(sql`seat IS NOT NULL`),
  ],
);

export const examSessions = sqliteTable(
  'exam_sessions',
  {
    id: text('id').primaryKey(),
    attemptId: text('attempt_id').notNull().unique(),
    candidateId: text('candidate_id').notNull(),
    examId: text('exam_id').notNull(),
    status: text('status', { enum: ['active', 'paused', 'expired', 'completed', 'terminated'] }).notNull(),
    isLocked: integer('is_locked', { mode: 'boolean' }).notNull().default(false),
    lockReason: text('lock_reason'),
    allowedMs: integer('allowed_ms').notNull(),
    usedMs: integer('used_ms').notNull().default(0),
    runningSince: integer('running_since'),
    pausedAt: integer('paused_at'),
    pauseKind: text('pause_kind', { enum: ['candidate', 'auto', 'staff'] }),
    recoveryAttempts: integer('recovery_attempts').notNull().default(0),
    recoveryTokenHash: text('recovery_token_hash').notNull(),
    endedAt: integer('ended_at'),
    endReason: text('end_reason', { enum: ['submitted', 'time_up', 'force_submit', 'paused_ttl', 'terminated'] }),
    startedAt: integer('started_at').notNull(),
    lastActivityAt: integer('last_activity_at').notNull(),
    devicePublicKey: text('device_public_key'),
    deviceFingerprint: text('device_fingerprint'),
    browserInfo: text('browser_info').notNull().default(''),
    ipAddress: text('ip_address').notNull().default(''),
    lastSeq: integer('last_seq').notNull().default(0),
    heartbeatCount: integer('heartbeat_count').notNull().default(0),
    /** Where the candidate sits (copied from the registration at start; changed by a transfer). */
    centerId: text('center_id'),
    roomId: text('room_id'),
    seat: text('seat'),
    /** Time paused by staff (incident time), in ms. */
    incidentMs: integer('incident_ms').notNull().default(0),
    /** Transfer to another desk: hash of the one-time resume code, and when it stops working. */
    resumeCodeHash: text('resume_code_hash'),
    resumeCodeExpiresAt: integer('resume_code_expires_at'),
    /** Wrong resume codes entered against the current code (five kill it). */
    resumeCodeFailures: integer('resume_code_failures').notNull().default(0),
    /** The recovery token the current one replaced, and when (a lost answer's retry gets the same answer). */
    prevRecoveryTokenHash: text('prev_recovery_token_hash'),
    recoveryRotatedAt: integer('recovery_rotated_at'),
    /** Bumped by each transfer; keys of earlier generations are refused. */
    deviceGeneration: integer('device_generation').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // The database itself guarantees one active session per candidate, whatever the concurrency.
    uniqueIndex('exam_sessions_one_active_per_candidate').on(t.candidateId).where(sql`status = 'active'`),
    // One attempt per candidate and exam.
    uniqueIndex('exam_sessions_one_attempt_per_exam').on(t.candidateId, t.examId),
    index('exam_sessions_status_attempt').on(t.status, t.attemptId),
    index('exam_sessions_room').on(t.centerId, t.roomId),
  ],
);

export const answers = sqliteTable(
  'answers',
  {
    attemptId: text('attempt_id').notNull(),
    questionId: text('question_id').notNull(),
    /** JSON of the answer value. */
    value: text('value').notNull(),
    clientSeq: integer('client_seq').notNull(),
    savedAt: integer('saved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.attemptId, t.questionId] })],
);

/** Append-only: rows are inserted, never updated or deleted. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
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

export const alerts = sqliteTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    at: integer('at').notNull(),
    attemptId: text('attempt_id'),
    candidateId: text('candidate_id'),
    examId: text('exam_id'),
    centerId: text('center_id'),
    roomId: text('room_id'),
    kind: text('kind').notNull(),
    severity: text('severity', { enum: ['info', 'warning', 'critical'] }).notNull(),
    message: text('message').notNull(),
    detail: text('detail'),
    acknowledgedAt: integer('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    /** How many times it was raised while open (coalesced), and the latest time. */
    count: integer('count').notNull().default(1),
    lastAt: integer('last_at'),
  },
  (t) => [
    index('alerts_attempt').on(t.attemptId, t.at),
    index('alerts_center').on(t.centerId, t.at),
    index('alerts_at').on(t.at, t.id),
    // One open alert per attempt and kind: a repeat adds to it (database growth is bounded).
    uniqueIndex('alerts_open_per_kind').on(t.attemptId, t.kind).where(sql`acknowledged_at IS NULL AND attempt_id IS NOT NULL`),
  ],
);

/** What staff asked of a kiosk, delivered in heartbeat answers until acknowledged. */
export const instructions = sqliteTable(
  'instructions',
  {
    id: text('id').primaryKey(),
    attemptId: text('attempt_id').notNull(),
    type: text('type', { enum: ['lock', 'unlock', 'pause', 'resume', 'message', 'submit', 'quit', 'help_seen'] }).notNull(),
    message: text('message'),
    reason: text('reason'),
    issuedAt: integer('issued_at').notNull(),
    issuedBy: text('issued_by').notNull(),
    deliveredAt: integer('delivered_at'),
    ackedAt: integer('acked_at'),
    /**
     * The session's device generation when it was issued: only that device receives and may
     * acknowledge it (a "quit" sent to the old desk of a transfer never reaches the new one).
     */
    deviceGeneration: integer('device_generation').notNull().default(0),
    /** The whole-room action that issued it (counts its deliveries), if any. */
    batchId: text('batch_id'),
  },
  (t) => [index('instructions_pending').on(t.attemptId, t.ackedAt), index('instructions_batch').on(t.batchId)],
);

/**
 * The sealed record of a finished attempt (per-candidate isolation seed): metadata, device,
 * answers with times and the full event timeline, with a hash chain over the events.
 */
export const archives = sqliteTable('archives', {
  attemptId: text('attempt_id').primaryKey(),
  sealedAt: integer('sealed_at').notNull(),
  /** Canonical JSON of the archive. */
  content: text('content').notNull(),
  /** Hash of the last event in the chain; verification recomputes it. */
  chainHead: text('chain_head').notNull(),
  score: real('score'),
  maxScore: real('max_score'),
});

/**
 * The keyed seal of each archive, apart from it: a statement of what was sealed (the chain head and
 * the hash of every part and event) and its HMAC under the server's secret key, which never enters
 * the database. Someone who can write the database can recompute a chain, not this MAC.
 * Append-only like the archives themselves (triggers refuse UPDATE and DELETE on both).
 */
export const archiveSeals = sqliteTable('archive_seals', {
  attemptId: text('attempt_id').primaryKey(),
  sealedAt: integer('sealed_at').notNull(),
  /** Canonical JSON of the seal statement. */
  statement: text('statement').notNull(),
  /** HMAC-SHA256 of `statement` (hex) under a key derived from the server secret. */
  mac: text('mac').notNull(),
});

/**
 * Offline bundles staff uploaded (README "Offline submission"): the archive's record of each, one
 * row per distinct file (its SHA-256) per attempt. Their answers are merged into `answers`.
 */
export const offlineBundles = sqliteTable(
  'offline_bundles',
  {
    id: text('id').primaryKey(),
    attemptId: text('attempt_id').notNull(),
    sha256: text('sha256').notNull(),
    devicePublicKey: text('device_public_key').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    receivedAt: integer('received_at').notNull(),
    exportedAt: integer('exported_at').notNull(),
    answers: integer('answers').notNull(),
    applied: integer('applied').notNull(),
    submitted: integer('submitted', { mode: 'boolean' }).notNull(),
  },
  (t) => [uniqueIndex('offline_bundles_attempt_sha').on(t.attemptId, t.sha256)],
);

/** "ID checked" per registration (a proctor looked at the candidate's ID); the audit keeps the history. */
export const idChecks = sqliteTable(
  'id_checks',
  {
    examId: text('exam_id').notNull(),
    candidateId: text('candidate_id').notNull(),
    checkedAt: integer('checked_at').notNull(),
    checkedBy: text('checked_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.examId, t.candidateId] })],
);

/** The incident log: free-text notes per candidate (attempt) or per room. Append-only (triggers). */
export const incidentNotes = sqliteTable(
  'incident_notes',
  {
    id: text('id').primaryKey(),
    at: integer('at').notNull(),
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
export const checkWaivers = sqliteTable(
  'check_waivers',
  {
    id: text('id').primaryKey(),
    examId: text('exam_id').notNull(),
    candidateId: text('candidate_id').notNull(),
    at: integer('at').notNull(),
    grantedBy: text('granted_by').notNull(),
    grantedByName: text('granted_by_name').notNull(),
    reason: text('reason').notNull(),
    /** JSON array of the check ids waived (e.g. ["vm", "displays"]). */
    checks: text('checks').notNull(),
  },
  (t) => [index('check_waivers_candidate').on(t.examId, t.candidateId, t.at)],
);

/**
 * Manual marks of text answers, an append-only addendum to an attempt's sealed archive: each row
 * carries the archive's chain head and an HMAC (server secret) over (attempt, chain head, previous
 * mark's MAC, the mark), verified on every read. The latest mark of a question counts.
 * Triggers refuse UPDATE and DELETE.
 */
export const marks = sqliteTable(
  'marks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    attemptId: text('attempt_id').notNull(),
    questionId: text('question_id').notNull(),
    points: real('points').notNull(),
    comment: text('comment').notNull().default(''),
    markedBy: text('marked_by').notNull(),
    markedAt: integer('marked_at').notNull(),
    chainHead: text('chain_head').notNull(),
    prevMac: text('prev_mac'),
    mac: text('mac').notNull(),
  },
  (t) => [index('marks_attempt').on(t.attemptId, t.id)],
);
