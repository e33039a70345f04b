import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { offlineKeyRequestSigningString } from '@invigil/contract';
import { call, QUESTIONS, spawnServer, TestDevice, type Reply, type SpawnedServer } from './testing/harness.ts';
import { testBundle, testChallenge } from './testing/offline.ts';

/**
 * The authorization matrix: every route of the server × every kind of caller, each cell asserted.
 *
 * Callers: anonymous; candidate A (exam X, seated in center X) and candidate B (exam Y, seated in
 * center Y); proctor X and proctor Y (each assigned to their whole center); an admin. The objects a
 * cell acts on belong to somebody specific (A's attempt, center X's session, proctor X's login
 * session...), so a cell checks ownership as well as the role:
 *   anonymous on a protected route → 401; the wrong role → 403 FORBIDDEN;
 *   somebody else's object (candidate B on A's attempt, proctor Y on a center-X session) → 404
 *   (PROTOCOL.md: "An id that belongs to someone else answers 404, exactly as one that does not exist").
 *
 * The routes come from the served OpenAPI document; the table below must name each one, and only
 * those (plus the few plain routes outside /api/v1 listed as such), so a new route cannot slip past.
 *
 * Success cells send valid bodies, so a 400/409/422/423 there fails the cell. Cells that would wreck
 * a shared object (submit, abandon, transfer, acknowledge, delete...) act on a throwaway object made
 * for the cell; where the object is a candidate's own attempt, the throwaway is owned by a fresh
 * candidate seated like A (or B): the "stand-in" (A and B already hold their one active session).
 * Cells that end the caller's own login sessions (logout, password change) run last and sign in again.
 */

const ROLES = ['anon', 'candA', 'candB', 'proctorX', 'proctorY', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Authed = Exclude<Role, 'anon'>;
const ROLE_LABEL: Record<Role, string> = { anon: 'anonymous', candA: 'cand A', candB: 'cand B', proctorX: 'proctor X', proctorY: 'proctor Y', admin: 'admin' };

/** An expected status, optionally with the expected error code (401/403/404 default to the generic ones). */
type Want = number | [number, string];
const DEFAULT_CODE: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

interface Req {
  /** Values for the `{param}`s of the row's path. */
  params?: Record<string, string>;
  /** A query string, without '?'. */
  query?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Row {
  /** `METHOD path` exactly as the OpenAPI document spells it (outside: a plain route not in it). */
  key: string;
  want: Record<Role, Want>;
  /** Why a cell expects what it does, when the shorthand does not say it. */
  note?: string;
  /** Runs after every other row: it ends the caller's own login sessions. */
  last?: boolean;
  /** A plain route outside /api/v1 (health, docs), not part of the OpenAPI document. */
  outside?: boolean;
  /** A Server-Sent Events stream: only the status and content type are read. */
  sse?: boolean;
  /** Builds one cell's request (may create a throwaway object for it). */
  req: (role: Role) => Req | Promise<Req>;
  /** Checks a success cell's answer beyond its status (what a list shows...). A string is a failure. */
  check?: (r: Reply, role: Role) => string | undefined | Promise<string | undefined>;
  /** Undoes what the cell changed (resumes a pause, signs in again...). */
  after?: (r: Reply, role: Role) => Promise<void>;
}

// ---- Expectation shorthands ----

const forAll = (w: Want): Record<Role, Want> => ({ anon: w, candA: w, candB: w, proctorX: w, proctorY: w, admin: w });
/** Public route: nobody needs a token. */
const publicRoute = (ok: number) => forAll(ok);
/** Any signed-in caller, each acting on their own things. */
const anyone = (ok: number) => ({ ...forAll(ok), anon: 401 });
const adminOnly = (ok: number) => ({ ...forAll(403), anon: 401, admin: ok });
/** Staff routes that list within the caller's scope (content is checked separately). */
const staffAll = (ok: number) => ({ ...forAll(403), anon: 401, proctorX: ok, proctorY: ok, admin: ok });
/** Staff routes on an object in center X: proctor Y gets 404, like an unknown id. */
const staffOnX = (ok: number) => ({ ...forAll(403), anon: 401, proctorX: ok, proctorY: 404, admin: ok });
/** Candidate routes with no object: both candidates may. */
const candidates = (ok: number) => ({ ...forAll(403), anon: 401, candA: ok, candB: ok });
/** Candidate routes on A's attempt: B gets 404, like an unknown id. */
const candOnA = (ok: number) => ({ ...forAll(403), anon: 401, candA: ok, candB: 404 });

// ---- The server and its data ----

const UNKNOWN = '3f0c6a52-0000-4000-8000-000000000000';
let s: SpawnedServer;
/** The bootstrap admin: used only to set things up, never as a matrix caller. */
let setup: string;
const tokens = {} as Record<Authed, string>;
const passwords = {} as Record<'admin' | 'proctorX' | 'proctorY', string>;
const usernames = { admin: 'matrix.admin', proctorX: 'proctor.x', proctorY: 'proctor.y', probe: 'login.probe' };
const PROBE_PASSWORD = 'probe-password-123';
const ids = {} as {
  centerX: string;
  centerY: string;
  roomX: string;
  roomY: string;
  examX: string;
  examY: string;
  spareExam: string;
  proctorX: string;
  proctorY: string;
  admin: string;
  probe: string;
};
interface Kiosk {
  candidateId: string;
  accessCode: string;
  examId: string;
  token: string;
  attemptId: string;
  dev: TestDevice;
  recoveryToken: string;
}
let A: Kiosk;
let B: Kiosk;
/** A finished (sealed) attempt of a stand-in seated in center X, for the archive routes. */
let finishedX: string;
/** Each caller's current login-session id (GET /sessions, isCurrent). */
const loginIds = {} as Record<Authed, string>;
let clientSeq = 0;
let serial = 0;
const next = () => ++serial;

const STAND_INS = 50;
const standInsX: { candidateId: string; accessCode: string }[] = [];
const standInsY: { candidateId: string; accessCode: string }[] = [];

async function ok<T = any>(what: string, p: Promise<Reply<T>>, ...statuses: number[]): Promise<Reply<T>> {
  const r = await p;
  if (!(statuses.length ? statuses : [200, 201, 204]).includes(r.status)) throw new Error(`setup: ${what} answered ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}
const api = <T = any>(method: string, path: string, body?: unknown, token?: string, headers?: Record<string, string>) => call<T>(`${s.api}${path}`, method, body, token, headers);

async function candidateToken(examId: string, c: { candidateId: string; accessCode: string }): Promise<string> {
  return (await ok('candidate login', api('POST', '/auth/candidate/login', { examId, candidateId: c.candidateId, accessCode: c.accessCode }))).body.token;
}

async function staffToken(username: string, password: string): Promise<string> {
  return (await ok(`login ${username}`, api('POST', '/auth/staff/login', { username, password }))).body.token;
}

/** Signs in, starts the attempt on its own device. */
async function kiosk(examId: string, c: { candidateId: string; accessCode: string }): Promise<Kiosk> {
  const token = await candidateToken(examId, c);
  const dev = new TestDevice();
  const st = await ok('start', api('POST', '/exams/sessions/start', { examSetId: examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token));
  return { ...c, examId, token, dev, attemptId: st.body.attemptId, recoveryToken: st.body.recoveryToken };
}

/** A fresh candidate seated in center X (exam X) with a started attempt: A's stand-in for one cell. */
async function standInX(): Promise<Kiosk> {
  const c = standInsX.shift();
  if (!c) throw new Error('setup: out of stand-in candidates for center X; raise STAND_INS');
  return kiosk(ids.examX, c);
}

/** A device-mismatch alert on the attempt (a heartbeat signed by another key); answers its id. */
async function raiseAlert(k: Kiosk): Promise<string> {
  const stranger = new TestDevice(k.dev.fingerprint);
  const hb = await ok('mismatched heartbeat', api('POST', '/exams/sessions/heartbeat', stranger.heartbeat(k.attemptId, ++k.dev.seq), k.token));
  if (hb.body.sessionValid !== false) throw new Error('setup: a heartbeat with a foreign signature was accepted');
  const list = await ok('alerts', api('GET', `/proctor/alerts?attemptId=${k.attemptId}&state=all`, undefined, setup));
  const alert = list.body.alerts.find((a: any) => a.kind === 'device_mismatch');
  if (!alert) throw new Error(`setup: no device_mismatch alert for ${k.attemptId}`);
  return alert.id;
}

async function currentLoginId(token: string): Promise<string> {
  const r = await ok('GET /sessions', api('GET', '/sessions', undefined, token));
  const mine = r.body.find((x: any) => x.isCurrent);
  if (!mine) throw new Error('setup: no current login session');
  return mine.id;
}

/** Signs a caller in again (after a logout or a password change ended its session). */
async function relogin(role: Role): Promise<void> {
  if (role === 'anon') return;
  if (role === 'candA') tokens.candA = A.token = await candidateToken(A.examId, A);
  else if (role === 'candB') tokens.candB = B.token = await candidateToken(B.examId, B);
  else tokens[role] = await staffToken(usernames[role], passwords[role]);
  loginIds[role] = await currentLoginId(tokens[role]);
}

const tokenOf = (role: Role) => (role === 'anon' ? undefined : tokens[role]);

beforeAll(async () => {
  // Long heartbeat silence: the matrix takes a while and must not see A and B auto-paused.
  s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '60000', MISSED_HEARTBEATS_BEFORE_PAUSE: '100' });
  setup = await staffToken('admin', s.adminPassword);

  // Centers, rooms, staff and their scope.
  const cx = await ok('center X', api('POST', '/admin/centers', { name: 'Matrix Center X' }, setup));
  const cy = await ok('center Y', api('POST', '/admin/centers', { name: 'Matrix Center Y' }, setup));
  const rx = await ok('room X', api('POST', `/admin/centers/${cx.body.id}/rooms`, { name: 'Room X1', capacity: 100 }, setup));
  const ry = await ok('room Y', api('POST', `/admin/centers/${cy.body.id}/rooms`, { name: 'Room Y1', capacity: 100 }, setup));
  Object.assign(ids, { centerX: cx.body.id, centerY: cy.body.id, roomX: rx.body.id, roomY: ry.body.id });
  passwords.admin = 'matrix-admin-password-1';
  passwords.proctorX = 'proctor-x-password-1';
  passwords.proctorY = 'proctor-y-password-1';
  const mk = async (username: string, password: string, role: 'admin' | 'proctor') =>
    (await ok(`staff ${username}`, api('POST', '/admin/staff', { username, password, role }, setup))).body.id as string;
  ids.admin = await mk(usernames.admin, passwords.admin, 'admin');
  ids.proctorX = await mk(usernames.proctorX, passwords.proctorX, 'proctor');
  ids.proctorY = await mk(usernames.proctorY, passwords.proctorY, 'proctor');
  ids.probe = await mk(usernames.probe, PROBE_PASSWORD, 'proctor');
  await ok('assign X', api('PUT', `/admin/staff/${ids.proctorX}/assignments`, { assignments: [{ centerId: ids.centerX }] }, setup));
  await ok('assign Y', api('PUT', `/admin/staff/${ids.proctorY}/assignments`, { assignments: [{ centerId: ids.centerY }] }, setup));

  // Exams, and the roster seating everybody.
  const exam = async (title: string) => (await ok(title, api('POST', '/admin/exams', { title, durationMinutes: 120, questions: QUESTIONS }, setup))).body.id as string;
  ids.examX = await exam('Exam X');
  ids.examY = await exam('Exam Y');
  ids.spareExam = await exam('Spare exam');
  const a = { candidateId: 'cand-a', accessCode: 'code-cand-a-secret' };
  const b = { candidateId: 'cand-b', accessCode: 'code-cand-b-secret' };
  for (let i = 1; i <= STAND_INS; i++) standInsX.push({ candidateId: `sx-${i}`, accessCode: `code-sx-${i}-secret` });
  for (let i = 1; i <= 5; i++) standInsY.push({ candidateId: `sy-${i}`, accessCode: `code-sy-${i}-secret` });
  const csv = (rows: string[]) => ['candidateId,name,accessCode,center,room,seat', ...rows].join('\n');
  const rosterX = csv([
    `${a.candidateId},Candidate A,${a.accessCode},Matrix Center X,Room X1,A1`,
    ...standInsX.map((c, i) => `${c.candidateId},Stand-in X ${i + 1},${c.accessCode},Matrix Center X,Room X1,S${i + 1}`),
    'probe-cand,Login Probe,code-probe-secret,,,',
    // B's stand-ins are registered for exam X too, with other access codes (see the start row).
    ...standInsY.map((c, i) => `${c.candidateId},Stand-in Y ${i + 1},${c.accessCode}-for-x,,,`),
  ]);
  const rosterY = csv([`${b.candidateId},Candidate B,${b.accessCode},Matrix Center Y,Room Y1,B1`, ...standInsY.map((c, i) => `${c.candidateId},Stand-in Y ${i + 1},${c.accessCode},Matrix Center Y,Room Y1,S${i + 1}`)]);
  await ok('roster X', api('POST', `/admin/exams/${ids.examX}/roster`, rosterX, setup, { 'content-type': 'text/csv' }), 200);
  await ok('roster Y', api('POST', `/admin/exams/${ids.examY}/roster`, rosterY, setup, { 'content-type': 'text/csv' }), 200);
  await ok('spare roster', api('POST', `/admin/exams/${ids.spareExam}/candidates`, { candidates: [{ candidateId: 'seat-me', name: 'Seat Me', accessCode: 'code-seat-me' }] }, setup));

  // The callers.
  tokens.admin = await staffToken(usernames.admin, passwords.admin);
  tokens.proctorX = await staffToken(usernames.proctorX, passwords.proctorX);
  tokens.proctorY = await staffToken(usernames.proctorY, passwords.proctorY);
  A = await kiosk(ids.examX, a);
  B = await kiosk(ids.examY, b);
  tokens.candA = A.token;
  tokens.candB = B.token;
  await ok('A saves an answer', api('PUT', `/exams/sessions/${A.attemptId}/answers/q1`, { value: 'a', clientSeq: ++clientSeq }, A.token));
  await raiseAlert(A);
  await raiseAlert(B);
  const done = await standInX();
  await ok('stand-in submits', api('POST', `/exams/sessions/${done.attemptId}/submit`, undefined, done.token));
  finishedX = done.attemptId;
  for (const role of ROLES) if (role !== 'anon') loginIds[role] = await currentLoginId(tokens[role]);
}, 120_000);
afterAll(() => s?.kill());

// ---- Content checks for lists: a caller sees its own things, never another's ----

function sees(list: string[], mustHave: string[], mustNotHave: string[]): string | undefined {
  const missing = mustHave.filter((x) => !list.includes(x));
  const leaked = mustNotHave.filter((x) => list.includes(x));
  if (missing.length) return `missing ${missing.join(', ')}`;
  if (leaked.length) return `LEAKS ${leaked.join(', ')}`;
  return undefined;
}

/** Which of A's and B's attempts a staff caller must and must not see. */
function staffView(role: Role): [string[], string[]] {
  if (role === 'proctorX') return [[A.attemptId], [B.attemptId]];
  if (role === 'proctorY') return [[B.attemptId], [A.attemptId]];
  return [[A.attemptId, B.attemptId], []];
}

/** A spare login session of proctor X: the object of DELETE /sessions/{id}. */
let spareX: { token: string; id: string } | undefined;

const TABLE: Row[] = [
  // ---- Staff login and provisioning (PROTOCOL.md) ----
  {
    key: 'POST /api/v1/auth/staff/login',
    want: publicRoute(200),
    note: 'public: signs in a probe proctor whatever token is sent; the new session is ended after the cell',
    req: () => ({ body: { username: usernames.probe, password: PROBE_PASSWORD } }),
    after: async (r) => {
      if (r.status === 200) await ok('probe logout', api('POST', '/auth/logout', undefined, r.body.token));
    },
  },
  {
    key: 'POST /api/v1/admin/exams',
    want: adminOnly(201),
    req: () => ({ body: { title: `Throwaway exam ${next()}`, durationMinutes: 30, questions: QUESTIONS } }),
  },
  { key: 'GET /api/v1/admin/exams', want: adminOnly(200), req: () => ({}) },
  { key: 'GET /api/v1/admin/exams/{examId}', want: adminOnly(200), req: () => ({ params: { examId: ids.examX } }) },
  { key: 'PATCH /api/v1/admin/exams/{examId}', want: adminOnly(200), req: () => ({ params: { examId: ids.examX }, body: { title: 'Exam X' } }) },
  {
    key: 'POST /api/v1/admin/exams/{examId}/candidates',
    want: adminOnly(201),
    req: () => ({ params: { examId: ids.spareExam }, body: { candidates: [{ candidateId: `extra-${next()}`, name: 'Extra', accessCode: 'code-extra-secret' }] } }),
  },

  // ---- Candidate exam sessions (PROTOCOL.md) ----
  {
    key: 'POST /api/v1/auth/candidate/login',
    want: publicRoute(200),
    note: 'public: signs in a probe candidate (never starts) whatever token is sent',
    req: () => ({ body: { examId: ids.examX, candidateId: 'probe-cand', accessCode: 'code-probe-secret' } }),
  },
  {
    key: 'GET /api/v1/exams/{examId}',
    want: candOnA(200),
    note: "exam X: candidate B is registered for exam Y only, so exam X is somebody else's (404)",
    req: () => ({ params: { examId: ids.examX } }),
    check: (r) => (JSON.stringify(r.body).includes('"correct"') ? 'LEAKS scoring keys' : undefined),
  },
  {
    key: 'POST /api/v1/exams/sessions/start',
    want: candOnA(201),
    note:
      "exam X. A already holds its one active session, so A's cell signs in a fresh stand-in seated like A; B's cell signs in a fresh stand-in of exam Y that is registered for exam X too (another access code): a token is bound to the exam it signed in to, so exam X is somebody else's (404)",
    req: async (role) => {
      const body = { examSetId: ids.examX, devicePublicKey: new TestDevice().publicKey };
      if (role !== 'candA' && role !== 'candB') return { body };
      const c = role === 'candA' ? standInsX.shift() : standInsY.shift();
      if (!c) throw new Error('out of stand-ins');
      const token = await candidateToken(role === 'candA' ? ids.examX : ids.examY, c);
      return { body, headers: { authorization: `Bearer ${token}` } };
    },
  },
  {
    key: 'GET /api/v1/exams/sessions/active',
    want: candidates(200),
    req: () => ({}),
    check: (r, role) => {
      const mine = role === 'candA' ? A.attemptId : B.attemptId;
      return r.body.activeSession?.attemptId === mine ? undefined : `activeSession is ${r.body.activeSession?.attemptId}, not the caller's ${mine}`;
    },
  },
  {
    key: 'POST /api/v1/exams/sessions/heartbeat',
    want: candOnA(200),
    note: "the body names A's attempt; B signs with B's own key",
    req: (role) => ({ body: role === 'candB' ? new TestDevice().heartbeat(A.attemptId, 1) : A.dev.heartbeat(A.attemptId) }),
    check: (r) => (r.body.sessionValid === true ? undefined : `sessionValid false: ${r.body.warning}`),
  },
  {
    key: 'POST /api/v1/exams/sessions/{attemptId}/pause',
    want: candOnA(200),
    note: "A's attempt; A resumes it after the cell",
    req: () => ({ params: { attemptId: A.attemptId } }),
    after: async (r) => {
      if (r.status === 200) await ok('A resumes', api('POST', `/exams/sessions/${A.attemptId}/resume`, undefined, A.token));
    },
  },
  {
    key: 'POST /api/v1/exams/sessions/{attemptId}/resume',
    want: candOnA(200),
    note: "A's attempt; A pauses it before A's own cell",
    req: async (role) => {
      if (role === 'candA') await ok('A pauses', api('POST', `/exams/sessions/${A.attemptId}/pause`, undefined, A.token));
      return { params: { attemptId: A.attemptId } };
    },
  },
  {
    key: 'POST /api/v1/exams/sessions/{attemptId}/recover',
    want: candOnA(200),
    note: "A's attempt with A's current recovery token (B signs with B's key); the rotated token is kept",
    req: (role) => ({ params: { attemptId: A.attemptId }, body: (role === 'candB' ? new TestDevice() : A.dev).recover(A.attemptId, A.recoveryToken) }),
    after: async (r) => {
      if (r.status === 200) A.recoveryToken = r.body.recoveryToken;
    },
  },
  {
    key: 'PUT /api/v1/exams/sessions/{attemptId}/answers/{questionId}',
    want: candOnA(200),
    req: () => ({ params: { attemptId: A.attemptId, questionId: 'q1' }, body: { value: 'a', clientSeq: ++clientSeq } }),
    check: (r) => (r.body.applied === true ? undefined : 'the save was not applied'),
  },
  {
    key: 'GET /api/v1/exams/sessions/{attemptId}/answers',
    want: candOnA(200),
    req: () => ({ params: { attemptId: A.attemptId } }),
    check: (r) => (r.body.answers?.some((x: any) => x.questionId === 'q1') ? undefined : "A's answer is missing"),
  },
  {
    key: 'POST /api/v1/exams/sessions/{attemptId}/submit',
    want: candOnA(200),
    note: 'final: each cell gets a fresh attempt of a stand-in seated in X; the candidate-A cell is that stand-in',
    req: async (role) => {
      const k = await standInX();
      return { params: { attemptId: k.attemptId }, ...(role === 'candA' ? { headers: { authorization: `Bearer ${k.token}` } } : {}) };
    },
    check: (r) => (r.body.status === 'completed' ? undefined : `status ${r.body.status}`),
  },
  {
    key: 'DELETE /api/v1/exams/sessions/{attemptId}',
    want: candOnA(204),
    note: 'final: each cell gets a fresh attempt of a stand-in seated in X; the candidate-A cell is that stand-in',
    req: async (role) => {
      const k = await standInX();
      return { params: { attemptId: k.attemptId }, ...(role === 'candA' ? { headers: { authorization: `Bearer ${k.token}` } } : {}) };
    },
  },

  // ---- Login sessions (PROTOCOL.md) ----
  {
    key: 'GET /api/v1/sessions',
    want: anyone(200),
    req: () => ({}),
    check: (r, role) => {
      const got = (r.body as any[]).map((x) => x.id);
      const others = Object.entries(loginIds).filter(([k]) => k !== role).map(([, v]) => v);
      return sees(got, [loginIds[role as Authed]], others);
    },
  },
  { key: 'DELETE /api/v1/sessions', want: anyone(200), note: "ends the caller's other sessions (none that the matrix uses)", req: () => ({}) },
  { key: 'GET /api/v1/sessions/count', want: anyone(200), req: () => ({}) },
  { key: 'GET /api/v1/sessions/analytics', want: anyone(200), req: () => ({}) },
  {
    key: 'DELETE /api/v1/sessions/{id}',
    want: { ...forAll(404), anon: 401, proctorX: 200 },
    note: "a spare login session of proctor X: anybody else's id is 404, admins included (they have DELETE /admin/users/{userId}/sessions)",
    req: async () => {
      if (!spareX) {
        const token = await staffToken(usernames.proctorX, passwords.proctorX);
        spareX = { token, id: await currentLoginId(token) };
      }
      return { params: { id: spareX.id } };
    },
    after: async (r) => {
      if (r.status === 200) spareX = undefined;
    },
  },
  {
    key: 'POST /api/v1/auth/logout',
    want: anyone(204),
    last: true,
    note: 'ends the caller’s session; the caller signs in again after the cell',
    req: () => ({}),
    after: async (r, role) => {
      if (r.status === 204) await relogin(role);
    },
  },
  {
    key: 'POST /api/v1/auth/password',
    want: { ...staffAll(200), candA: 403, candB: 403 },
    last: true,
    note: "staff change their own password (all their sessions end; the answer's token is kept)",
    req: (role) => {
      const current = role === 'admin' || role === 'proctorX' || role === 'proctorY' ? passwords[role] : 'not-a-staff-password';
      return { body: { currentPassword: current, newPassword: `${current}-changed` } };
    },
    after: async (r, role) => {
      if (r.status !== 200 || !(role === 'admin' || role === 'proctorX' || role === 'proctorY')) return;
      passwords[role] = `${passwords[role]}-changed`;
      tokens[role] = r.body.token;
      loginIds[role] = await currentLoginId(tokens[role]);
    },
  },
  {
    key: 'DELETE /api/v1/admin/users/{userId}/sessions',
    want: adminOnly(200),
    note: 'the probe proctor: its sessions end',
    req: () => ({ params: { userId: ids.probe } }),
  },
  {
    key: 'GET /api/v1/admin/exams/{examId}/candidates/{candidateId}/sessions',
    want: adminOnly(200),
    note: "the login probe candidate's sign-ins",
    req: () => ({ params: { examId: ids.examX, candidateId: 'probe-cand' } }),
  },
  {
    key: 'DELETE /api/v1/admin/exams/{examId}/candidates/{candidateId}/sessions',
    want: adminOnly(200),
    note: "the login probe candidate's sign-ins end",
    req: () => ({ params: { examId: ids.examX, candidateId: 'probe-cand' } }),
  },
  {
    key: 'DELETE /api/v1/admin/exams/{examId}/candidates/{candidateId}/sessions/{id}',
    want: adminOnly(200),
    note: 'a fresh sign-in of the login probe candidate (the others are refused before the id is looked at)',
    req: async (role) => {
      if (role !== 'admin') return { params: { examId: ids.examX, candidateId: 'probe-cand', id: UNKNOWN } };
      await candidateToken(ids.examX, { candidateId: 'probe-cand', accessCode: 'code-probe-secret' });
      const list = await ok('probe sign-ins', api('GET', `/admin/exams/${ids.examX}/candidates/probe-cand/sessions`, undefined, setup));
      return { params: { examId: ids.examX, candidateId: 'probe-cand', id: list.body[0].id } };
    },
  },
  {
    key: 'DELETE /api/v1/proctor/exams/{examId}/candidates/{candidateId}/login-throttle',
    want: staffOnX(204),
    note: "candidate A is seated in center X: proctor Y gets 404, as for an unknown candidate",
    req: () => ({ params: { examId: ids.examX, candidateId: A.candidateId } }),
  },
  { key: 'GET /api/v1/admin/policies/roles', want: adminOnly(200), req: () => ({}) },
  {
    key: 'PUT /api/v1/admin/policies/roles/{role}',
    want: adminOnly(200),
    note: 'the proctor policy, set to what it already is',
    req: async () => {
      const current = await ok('policies', api('GET', '/admin/policies/roles', undefined, setup));
      return { params: { role: 'proctor' }, body: current.body.proctor };
    },
  },

  // ---- Proctor: the live room, actions, transfer, alerts, events ----
  {
    key: 'GET /api/v1/proctor/sessions',
    want: staffAll(200),
    req: () => ({}),
    check: (r, role) => sees(r.body.sessions.map((x: any) => x.attemptId), ...staffView(role)),
  },
  {
    key: 'POST /api/v1/proctor/sessions/{attemptId}/actions',
    want: staffOnX(200),
    note: "a message to A's kiosk (center X)",
    req: () => ({ params: { attemptId: A.attemptId }, body: { action: 'message', message: 'authorization matrix' } }),
  },
  {
    key: 'POST /api/v1/proctor/sessions/{attemptId}/transfer',
    want: staffOnX(200),
    note: 'each cell gets a fresh attempt in center X (a transfer pauses it), moved to room X1',
    req: async () => ({ params: { attemptId: (await standInX()).attemptId }, body: { reason: 'matrix transfer', roomId: ids.roomX, seat: 'T1' } }),
  },
  { key: 'GET /api/v1/proctor/sessions/{attemptId}/instructions', want: staffOnX(200), req: () => ({ params: { attemptId: A.attemptId } }) },
  {
    key: 'GET /api/v1/proctor/alerts',
    want: staffAll(200),
    req: () => ({ query: 'state=all&limit=500' }),
    check: (r, role) => sees(r.body.alerts.map((x: any) => x.attemptId), ...staffView(role)),
  },
  {
    key: 'POST /api/v1/proctor/alerts/{alertId}/ack',
    want: staffOnX(200),
    note: 'each cell gets a fresh alert on a fresh attempt in center X',
    req: async () => ({ params: { alertId: await raiseAlert(await standInX()) } }),
  },
  { key: 'GET /api/v1/proctor/events', want: staffAll(200), sse: true, req: () => ({}) },
  // ---- the hall (issue H): attendance, room actions, notes, waivers ----
  {
    key: 'GET /api/v1/proctor/attendance',
    want: staffAll(200),
    req: () => ({}),
    check: (r, role) => {
      const [must, mustNot]: [string[], string[]] = role === 'proctorX' ? [['cand-a'], ['cand-b']] : role === 'proctorY' ? [['cand-b'], ['cand-a']] : [['cand-a', 'cand-b'], []];
      return sees(r.body.candidates.map((x: any) => x.candidateId), must, mustNot);
    },
  },
  { key: 'POST /api/v1/proctor/exams/{examId}/candidates/{candidateId}/id-check', want: staffOnX(200), note: 'candidate A is seated in center X', req: () => ({ params: { examId: ids.examX, candidateId: 'cand-a' }, body: { checked: true } }) },
  ...(['pause', 'resume', 'message', 'extend', 'lock'] as const).map((action) => ({
    key: `POST /api/v1/proctor/rooms/{roomId}/${action}`,
    want: staffOnX(200),
    note: 'each cell gets a fresh empty room in center X (the action must not touch A)',
    req: async () => ({
      params: { roomId: (await ok('empty room', api('POST', `/admin/centers/${ids.centerX}/rooms`, { name: `Matrix empty ${next()}`, capacity: 5 }, setup))).body.id },
      body: action === 'message' ? { message: 'matrix' } : action === 'extend' ? { reason: 'matrix extend', minutes: 1 } : { reason: `matrix ${action}` },
    }),
  })),
  { key: 'GET /api/v1/proctor/rooms/{roomId}/actions/{batchId}', want: staffOnX(200), req: () => ({ params: { roomId: ids.roomX, batchId: UNKNOWN } }) },
  { key: 'POST /api/v1/proctor/alerts/ack', want: staffAll(200), note: 'an unknown id counts as not found', req: () => ({ body: { alertIds: [UNKNOWN] } }) },
  { key: 'POST /api/v1/proctor/notes', want: staffOnX(201), note: 'a note about room X', req: () => ({ body: { roomId: ids.roomX, text: 'matrix note' } }) },
  { key: 'GET /api/v1/proctor/notes', want: staffAll(200), req: () => ({}) },
  {
    key: 'POST /api/v1/proctor/exams/{examId}/candidates/{candidateId}/check-waiver',
    want: staffOnX(201),
    req: () => ({ params: { examId: ids.examX, candidateId: 'cand-a' }, body: { reason: 'matrix waiver', checks: ['displays'] } }),
  },
  { key: 'GET /api/v1/proctor/exams/{examId}/candidates/{candidateId}/check-waivers', want: staffOnX(200), req: () => ({ params: { examId: ids.examX, candidateId: 'cand-a' } }) },
  { key: 'GET /api/v1/exams/sessions/check-waiver', want: candidates(200), req: () => ({}) },
  { key: 'GET /api/v1/review/sessions/{attemptId}/incidents', want: staffOnX(200), req: () => ({ params: { attemptId: A.attemptId } }) },
  {
    key: 'POST /api/v1/exams/sessions/transfer/claim',
    want: { ...candidates(200), candB: [403, 'INVALID_RESUME_CODE'] },
    note: "each cell: a stand-in in X is transferred; the candidate-A cell is that stand-in; B trying its code gets the wrong-code answer (codes are looked up among the caller's own sessions only)",
    req: async (role) => {
      const k = await standInX();
      const t = await ok('transfer', api('POST', `/proctor/sessions/${k.attemptId}/transfer`, { reason: 'matrix claim' }, setup));
      const dev = new TestDevice();
      return { body: { resumeCode: t.body.resumeCode, devicePublicKey: dev.publicKey }, ...(role === 'candA' ? { headers: { authorization: `Bearer ${k.token}` } } : {}) };
    },
    check: (r) => (r.body.status === 'active' ? undefined : `status ${r.body.status}`),
  },

  // ---- Offline staff codes and offline bundles ----
  { key: 'GET /api/v1/offline/keys', want: publicRoute(200), req: () => ({}) },
  {
    key: 'POST /api/v1/exams/sessions/{attemptId}/offline-key',
    want: candOnA(200),
    note: "A's kiosk asks for its offline key (signed with A's device key); B asking for A's attempt gets 404",
    req: () => {
      const box = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }).x!;
      return { params: { attemptId: A.attemptId }, body: { boxPublicKey: box, signature: A.dev.sign(offlineKeyRequestSigningString(A.attemptId, box)) } };
    },
  },
  {
    key: 'POST /api/v1/proctor/sessions/{attemptId}/offline-code',
    want: staffOnX(200),
    note: "a quit challenge from A's kiosk (center X)",
    req: () => ({ params: { attemptId: A.attemptId }, body: { challenge: testChallenge('quit', A.dev.publicKey), reason: 'matrix' } }),
    check: (r) => (/^[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(r.body.code) ? undefined : `code ${r.body.code}`),
  },
  {
    key: 'POST /api/v1/proctor/offline-bundles',
    want: staffOnX(200),
    note: "each cell: a bundle of a fresh stand-in's attempt in center X (the attempt is named inside the encrypted bundle; proctor Y gets 404)",
    req: async () => {
      const k = await standInX();
      const keys = (await ok('offline keys', api('GET', '/offline/keys'))).body;
      return { body: { bundle: testBundle({ keys, dev: k.dev, attemptId: k.attemptId, examId: k.examId, candidateId: k.candidateId, answers: [{ questionId: QUESTIONS[2]!.id, value: 'offline', clientSeq: 1 }] }) } };
    },
    check: (r) => (r.body.applied === 1 ? undefined : `applied ${r.body.applied}`),
  },

  // ---- Admin: centers and rooms ----
  { key: 'GET /api/v1/admin/centers', want: adminOnly(200), req: () => ({}) },
  { key: 'POST /api/v1/admin/centers', want: adminOnly(201), req: () => ({ body: { name: `Throwaway center ${next()}` } }) },
  { key: 'GET /api/v1/admin/centers/{centerId}', want: adminOnly(200), req: () => ({ params: { centerId: ids.centerX } }) },
  { key: 'PATCH /api/v1/admin/centers/{centerId}', want: adminOnly(200), req: () => ({ params: { centerId: ids.centerX }, body: { address: '1 Matrix Street' } }) },
  {
    key: 'DELETE /api/v1/admin/centers/{centerId}',
    want: adminOnly(204),
    note: 'each cell gets a fresh empty center',
    req: async () => ({ params: { centerId: (await ok('center', api('POST', '/admin/centers', { name: `Doomed center ${next()}` }, setup))).body.id } }),
  },
  { key: 'GET /api/v1/admin/centers/{centerId}/rooms', want: adminOnly(200), req: () => ({ params: { centerId: ids.centerX } }) },
  { key: 'POST /api/v1/admin/centers/{centerId}/rooms', want: adminOnly(201), req: () => ({ params: { centerId: ids.centerX }, body: { name: `Extra room ${next()}` } }) },
  { key: 'GET /api/v1/admin/rooms/{roomId}', want: adminOnly(200), req: () => ({ params: { roomId: ids.roomX } }) },
  { key: 'PATCH /api/v1/admin/rooms/{roomId}', want: adminOnly(200), req: () => ({ params: { roomId: ids.roomX }, body: { capacity: 100 } }) },
  {
    key: 'DELETE /api/v1/admin/rooms/{roomId}',
    want: adminOnly(204),
    note: 'each cell gets a fresh empty room in center X',
    req: async () => ({ params: { roomId: (await ok('room', api('POST', `/admin/centers/${ids.centerX}/rooms`, { name: `Doomed room ${next()}` }, setup))).body.id } }),
  },

  // ---- Admin: staff accounts ----
  { key: 'GET /api/v1/admin/staff', want: adminOnly(200), req: () => ({}) },
  {
    key: 'POST /api/v1/admin/staff',
    want: adminOnly(201),
    req: () => ({ body: { username: `throwaway.${next()}`, password: 'throwaway-password-1', role: 'proctor' } }),
  },
  { key: 'GET /api/v1/admin/staff/{staffId}', want: adminOnly(200), req: () => ({ params: { staffId: ids.proctorX } }) },
  { key: 'PATCH /api/v1/admin/staff/{staffId}', want: adminOnly(200), note: "proctor X's display name", req: () => ({ params: { staffId: ids.proctorX }, body: { displayName: 'Proctor X' } }) },
  {
    key: 'POST /api/v1/admin/staff/{staffId}/password',
    want: adminOnly(200),
    note: "the probe proctor's password, set to what it already is",
    req: () => ({ params: { staffId: ids.probe }, body: { password: PROBE_PASSWORD } }),
  },
  {
    key: 'PUT /api/v1/admin/staff/{staffId}/assignments',
    want: adminOnly(200),
    note: "proctor X's assignment, set to what it already is",
    req: () => ({ params: { staffId: ids.proctorX }, body: { assignments: [{ centerId: ids.centerX }] } }),
  },

  // ---- Admin: exam settings, roster, seating ----
  { key: 'POST /api/v1/admin/exams/{examId}/open', want: adminOnly(200), req: () => ({ params: { examId: ids.examX } }) },
  { key: 'POST /api/v1/admin/exams/{examId}/close', want: adminOnly(200), note: 'the spare exam', req: () => ({ params: { examId: ids.spareExam } }) },
  { key: 'PUT /api/v1/admin/exams/{examId}/window', want: adminOnly(200), note: 'the spare exam', req: () => ({ params: { examId: ids.spareExam }, body: { opensAt: null, closesAt: null } }) },
  { key: 'PUT /api/v1/admin/exams/{examId}/policy', want: adminOnly(200), note: 'the spare exam', req: () => ({ params: { examId: ids.spareExam }, body: { heartbeatIntervalMs: 30_000 } }) },
  { key: 'POST /api/v1/admin/exams/{examId}/duplicate', want: adminOnly(201), note: 'a new draft copy of the spare exam', req: () => ({ params: { examId: ids.spareExam } }) },
  { key: 'GET /api/v1/admin/exams/{examId}/preview', want: adminOnly(200), req: () => ({ params: { examId: ids.examX } }) },
  {
    key: 'POST /api/v1/admin/exams/{examId}/roster',
    want: adminOnly(200),
    note: 'the spare exam, as CSV',
    req: () => ({
      params: { examId: ids.spareExam },
      body: `candidateId,name,accessCode\nroster-${next()},Roster Row,code-roster-row\n`,
      headers: { 'content-type': 'text/csv' },
    }),
  },
  { key: 'GET /api/v1/admin/exams/{examId}/registrations', want: adminOnly(200), req: () => ({ params: { examId: ids.examX } }) },
  {
    key: 'PUT /api/v1/admin/exams/{examId}/registrations/{candidateId}',
    want: adminOnly(200),
    note: 'a spare-exam candidate, moved to a new seat in center X',
    req: () => ({ params: { examId: ids.spareExam, candidateId: 'seat-me' }, body: { centerId: ids.centerX, roomId: ids.roomX, seat: `M${next()}` } }),
  },
  {
    key: 'PUT /api/v1/admin/exams/{examId}/registrations/{candidateId}/accommodations',
    want: adminOnly(200),
    note: 'a spare-exam candidate who has not started',
    req: () => ({ params: { examId: ids.spareExam, candidateId: 'seat-me' }, body: { extraTimeMinutes: 10, restBreakMinutes: 5 } }),
  },
  {
    key: 'POST /api/v1/admin/exams/{examId}/registrations/{candidateId}/access-code',
    want: adminOnly(200),
    note: "a spare-exam candidate's code, re-issued",
    req: () => ({ params: { examId: ids.spareExam, candidateId: 'seat-me' } }),
  },

  // ---- Review ----
  {
    key: 'GET /api/v1/review/sessions',
    want: staffAll(200),
    req: () => ({ query: 'limit=200' }),
    check: (r, role) => sees(r.body.sessions.map((x: any) => x.attemptId), ...staffView(role)),
  },
  { key: 'GET /api/v1/review/sessions/{attemptId}', want: staffOnX(200), note: "A's live attempt", req: () => ({ params: { attemptId: A.attemptId } }) },
  { key: 'GET /api/v1/review/sessions/{attemptId}/archive', want: staffOnX(200), note: 'a finished attempt in center X', req: () => ({ params: { attemptId: finishedX } }) },
  {
    key: 'PUT /api/v1/review/sessions/{attemptId}/marks/{questionId}',
    want: adminOnly(200),
    note: "the text answer of a finished attempt in center X (admins mark; proctors may not)",
    req: () => ({ params: { attemptId: finishedX, questionId: 'q3' }, body: { points: 1, comment: 'matrix' } }),
  },
  { key: 'GET /api/v1/admin/exams/{examId}/results', want: adminOnly(200), req: () => ({ params: { examId: ids.examX } }) },
  { key: 'GET /api/v1/review/sessions/{attemptId}/verify', want: staffOnX(200), note: 'a finished attempt in center X', req: () => ({ params: { attemptId: finishedX } }) },

  // ---- Plain routes outside /api/v1 ----
  { key: 'GET /healthz', want: publicRoute(200), outside: true, req: () => ({}) },
  { key: 'GET /api/openapi.json', want: publicRoute(200), outside: true, req: () => ({}) },
  { key: 'GET /api/docs', want: publicRoute(200), outside: true, req: () => ({}) },
  { key: 'GET /api/docs.js', want: publicRoute(200), outside: true, req: () => ({}) },
  { key: 'GET /api/docs.css', want: publicRoute(200), outside: true, req: () => ({}) },
];

// ---- Running a cell ----

interface Result {
  row: Row;
  role: Role;
  want: Want;
  status: number;
  code?: string;
  problem?: string;
}

const statusOf = (w: Want) => (typeof w === 'number' ? w : w[0]);
const codeOf = (w: Want) => (typeof w === 'number' ? DEFAULT_CODE[w] : w[1]);
const isSuccess = (w: Want) => statusOf(w) < 300;

async function send(row: Row, role: Role, q: Req): Promise<Reply> {
  const [method, template] = row.key.split(' ') as [string, string];
  let path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = q.params?.[name];
    if (v === undefined) throw new Error(`${row.key}: no value for {${name}}`);
    return encodeURIComponent(v);
  });
  if (q.query) path += `?${q.query}`;
  const token = tokenOf(role);
  const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...q.headers };
  if (!row.sse) return call(`${s.url}${path}`, method, q.body, undefined, headers);
  // An event stream never ends: read the status, then hang up.
  const ctrl = new AbortController();
  const res = await fetch(`${s.url}${path}`, { method, headers, signal: ctrl.signal });
  if (res.status === 200) {
    const type = res.headers.get('content-type') ?? '';
    ctrl.abort();
    return { status: 200, body: { contentType: type }, headers: res.headers };
  }
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function runCell(row: Row, role: Role): Promise<Result> {
  const want = row.want[role];
  const q = await row.req(role);
  const r = await send(row, role, q);
  const result: Result = { row, role, want, status: r.status, code: r.body?.error?.code };
  if (r.status !== statusOf(want)) {
    result.problem = `expected ${statusOf(want)}, got ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`;
  } else if (!isSuccess(want) && codeOf(want) && result.code !== codeOf(want)) {
    result.problem = `expected code ${codeOf(want)}, got ${result.code}: ${r.body?.error?.message}`;
  } else if (isSuccess(want) && row.sse && !/text\/event-stream/.test(r.body.contentType)) {
    result.problem = `not an event stream: ${r.body.contentType}`;
  } else if (isSuccess(want) && row.check) {
    result.problem = await row.check(r, role);
  }
  if (row.after) await row.after(r, role);
  return result;
}

/** route × caller, each cell "200" when as expected, else "✗ 403≠200" (got ≠ expected). */
function renderMatrix(results: Result[]): string {
  const byKey = new Map<string, Map<Role, Result>>();
  for (const r of results) {
    if (!byKey.has(r.row.key)) byKey.set(r.row.key, new Map());
    byKey.get(r.row.key)!.set(r.role, r);
  }
  const cell = (r: Result | undefined) => {
    if (!r) return '—';
    const want = statusOf(r.want);
    return r.problem ? (r.status === want ? `✗ ${r.status}!` : `✗ ${r.status}≠${want}`) : String(r.status);
  };
  const header = ['route', ...ROLES.map((x) => ROLE_LABEL[x])];
  const lines = [...byKey].map(([key, m]) => [key, ...ROLES.map((role) => cell(m.get(role)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(fmt)].join('\n');
}

// ---- The tests ----

interface Op {
  key: string;
  roles: string[] | null;
}
let ops: Op[];

describe('authorization matrix: every route × every kind of caller', () => {
  beforeAll(async () => {
    const doc = (await call(`${s.url}/api/openapi.json`, 'GET')).body;
    ops = [];
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) ops.push({ key: `${method.toUpperCase()} ${path}`, roles: op['x-roles'] ?? null });
    }
  });

  it('the table names every route of the OpenAPI document, once, and nothing else', () => {
    const keys = TABLE.filter((r) => !r.outside).map((r) => r.key);
    const served = ops.map((o) => o.key);
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(dupes, 'rows named twice').toEqual([]);
    expect(
      served.filter((k) => !keys.includes(k)),
      'routes with no row in the authorization matrix: add one to TABLE in authz-matrix.test.ts',
    ).toEqual([]);
    expect(
      keys.filter((k) => !served.includes(k)),
      'rows for routes the server does not have',
    ).toEqual([]);
    expect(ops.length).toBeGreaterThanOrEqual(60);
  });

  it('the table agrees with the documented x-roles: only listed roles succeed, unlisted ones get 403, anonymous 401', () => {
    const roleOf: Record<Authed, string> = { candA: 'candidate', candB: 'candidate', proctorX: 'proctor', proctorY: 'proctor', admin: 'admin' };
    const wrong: string[] = [];
    for (const op of ops) {
      const row = TABLE.find((r) => r.key === op.key);
      if (!row) continue;
      for (const role of ROLES) {
        const w = row.want[role];
        if (op.roles === null) {
          if (!isSuccess(w)) wrong.push(`${op.key} is public but ${role} expects ${statusOf(w)}`);
        } else if (role === 'anon') {
          if (statusOf(w) !== 401) wrong.push(`${op.key}: anonymous expects ${statusOf(w)}, not 401`);
        } else if (!op.roles.includes(roleOf[role])) {
          if (statusOf(w) !== 403 || codeOf(w) !== 'FORBIDDEN') wrong.push(`${op.key}: ${role} is not in x-roles ${op.roles} but expects ${JSON.stringify(w)}`);
        } else if (statusOf(w) === 401 || (statusOf(w) === 403 && codeOf(w) === 'FORBIDDEN')) {
          wrong.push(`${op.key}: ${role} is in x-roles ${op.roles} but expects a role refusal`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every cell answers as the table says', { timeout: 300_000 }, async () => {
    const results: Result[] = [];
    const ordered = [...TABLE.filter((r) => !r.last), ...TABLE.filter((r) => r.last)];
    for (const row of ordered) {
      // Refusals first, so each success cell finds its object as the setup left it.
      const roles = [...ROLES].sort((a, b) => Number(isSuccess(row.want[a])) - Number(isSuccess(row.want[b])));
      for (const role of roles) {
        try {
          results.push(await runCell(row, role));
        } catch (e) {
          results.push({ row, role, want: row.want[role], status: 0, problem: `threw: ${(e as Error).message}` });
        }
      }
    }
    const failed = results.filter((r) => r.problem);
    const matrix = renderMatrix(results);
    const summary = `${TABLE.length} routes × ${ROLES.length} callers = ${results.length} cells, ${failed.length} failed`;
    if (failed.length) {
      const details = failed.map((r) => `  ${r.row.key} as ${ROLE_LABEL[r.role]}: ${r.problem}${r.row.note ? `\n      (row note: ${r.row.note})` : ''}`).join('\n');
      throw new Error(`${summary}\n\n${matrix}\n\n✗ a ≠ b: got a, expected b; ✗ a!: right status, wrong answer (see below)\n${details}`);
    }
    console.log(summary);
    expect(results.length).toBe(TABLE.length * ROLES.length);
  });
});

/** Reads a proctor's event stream until `until` shows up (or 5 s pass); answers what it read. */
async function streamUntil(token: string, act: () => Promise<void>, until: string): Promise<string> {
  const ctrl = new AbortController();
  const res = await fetch(`${s.api}/proctor/events?access_token=${encodeURIComponent(token)}`, { signal: ctrl.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const read = async (what: string) => {
    const deadline = Date.now() + 5_000;
    while (!text.includes(what) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  };
  await read('event: hello');
  await act();
  await read(until);
  ctrl.abort();
  return text;
}

describe('scope at the edges: bodies, filters and streams never reach another center', () => {
  it('a proctor cannot move a session into another center’s room, or a room that does not exist (404, like an unknown id)', async () => {
    const k = await standInX();
    const transfer = (roomId: string, token: string) => api('POST', `/proctor/sessions/${k.attemptId}/transfer`, { reason: 'move desks', roomId }, token);
    expect((await transfer(ids.roomY, tokens.proctorX)).status).toBe(404);
    expect((await transfer(UNKNOWN, tokens.proctorX)).status).toBe(404);
    expect((await transfer(ids.roomY, tokens.admin)).status).toBe(404);
    const live = await api('GET', `/proctor/sessions?centerId=${ids.centerX}`, undefined, tokens.proctorX);
    expect(live.body.sessions.find((x: any) => x.attemptId === k.attemptId)).toMatchObject({ centerId: ids.centerX, roomId: ids.roomX, transferPending: false });
    expect((await transfer(ids.roomX, tokens.proctorX)).status).toBe(200);
  });

  it('query filters naming center X give proctor Y nothing, and an X attempt id is 404', async () => {
    const live = await api('GET', `/proctor/sessions?centerId=${ids.centerX}&includeFinished=true`, undefined, tokens.proctorY);
    expect(live.status).toBe(200);
    expect(live.body.sessions).toEqual([]);
    const review = await api('GET', `/review/sessions?centerId=${ids.centerX}`, undefined, tokens.proctorY);
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({ total: 0, sessions: [] });
    const searched = await api('GET', `/review/sessions?q=${A.candidateId}`, undefined, tokens.proctorY);
    expect(searched.body.sessions.map((x: any) => x.attemptId)).not.toContain(A.attemptId);
    const alerts = await api('GET', `/proctor/alerts?attemptId=${A.attemptId}&state=all`, undefined, tokens.proctorY);
    expect(alerts.status).toBe(404);
    const own = await api('GET', `/proctor/alerts?attemptId=${B.attemptId}&state=all`, undefined, tokens.proctorY);
    expect(own.status).toBe(200);
  });

  it('the event stream carries proctor Y the changes of center Y only', async () => {
    const message = (attemptId: string) => ok('message', api('POST', `/proctor/sessions/${attemptId}/actions`, { action: 'message', message: 'scope check' }, setup));
    const text = await streamUntil(
      tokens.proctorY,
      async () => {
        await message(A.attemptId);
        await message(B.attemptId);
      },
      B.attemptId,
    );
    expect(text).toContain(B.attemptId);
    expect(text).not.toContain(A.attemptId);
    const x = await streamUntil(tokens.proctorX, () => message(A.attemptId).then(() => undefined), A.attemptId);
    expect(x).toContain(A.attemptId);
  });
});
