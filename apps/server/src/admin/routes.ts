import {
  AccommodationsRequest,
  AdminExam,
  AdminExamList,
  AdminExamListQuery,
  AdminRegistration,
  Center,
  CenterList,
  CenterParams,
  CreateCenterRequest,
  CreateRoomRequest,
  CreateExamRequest,
  CloseExamQuery,
  CandidateExamView,
  CreateStaffRequest,
  Exam,
  RegisterCandidatesRequest,
  RegisterCandidatesResponse,
  ExamPolicyRequest,
  ExamWindowRequest,
  Id,
  PlaceRegistrationRequest,
  RegistrationList,
  ReissuedCode,
  RegistrationListQuery,
  RegistrationParams,
  ResetPasswordRequest,
  ResetPasswordResponse,
  Room,
  RoomList,
  RoomParams,
  RosterImportQuery,
  RosterReport,
  SetAssignmentsRequest,
  StaffAccount,
  StaffList,
  StaffParams,
  UpdateCenterRequest,
  UpdateExamRequest,
  UpdateRoomRequest,
  UpdateStaffRequest,
  UpdateStaffResponse,
} from '@invigil/contract';
import type { Context } from 'hono';
import { z } from 'zod';
import { bodyText } from '../http/body.ts';
import type { AppEnv, Principal } from '../http/context.ts';
import { invalid } from '../ports/errors.ts';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { Actor } from './audit.ts';
import type { ExamAdminService } from './exam-admin-service.ts';
import type { PlacesService } from './places-service.ts';
import type { ProvisioningService } from './provisioning-service.ts';
import type { RosterService } from './roster-service.ts';
import type { StaffService } from './staff-service.ts';

export interface AdminServices {
  provisioning: ProvisioningService;
  places: PlacesService;
  staff: StaffService;
  exams: ExamAdminService;
  roster: RosterService;
}

const ADMIN = ['admin'] as const;
const tag = 'admin';
const ExamParams = z.object({ examId: Id });

const actor = (c: Context<AppEnv>, principal: Principal): Actor => ({ principal, ip: c.get('ip') });

/** The roster's format: `?format=` wins, else the Content-Type says. */
function rosterFormat(c: Context<AppEnv>, format: 'csv' | 'json' | undefined): 'csv' | 'json' {
  if (format) return format;
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.includes('csv')) return 'csv';
  if (type.includes('json')) return 'json';
  throw invalid('BAD_REQUEST', 'send the roster as text/csv or application/json, or say ?format=csv|json');
}

export function adminRoutes(r: RouteRegistry, s: AdminServices): void {
  // ---- PROTOCOL.md "Staff and provisioning" ----
  r.add(
    { method: 'post', path: '/admin/exams', tag, summary: 'Create an exam', roles: ADMIN, body: CreateExamRequest, responses: { 201: Exam } },
    async ({ c, body, principal }) => c.json(await s.provisioning.createExam(principal, body, c.get('ip')), 201),
  );
  r.add(
    {
      method: 'post',
      path: '/admin/exams/:examId/candidates',
      tag,
      summary: 'Register candidates (idempotent per candidateId; access codes stored hashed)',
      roles: ADMIN,
      params: ExamParams,
      body: RegisterCandidatesRequest,
      responses: { 201: RegisterCandidatesResponse },
      errors: [404, 413],
    },
    async ({ c, body, params, principal }) => c.json(await s.provisioning.registerCandidates(principal, params.examId, body, c.get('ip')), 201),
  );

  // ---- Centers and rooms ----
  r.add({ method: 'get', path: '/admin/centers', tag, summary: 'List exam centers', roles: ADMIN, responses: { 200: CenterList } }, async ({ c }) => c.json(await s.places.listCenters()));
  r.add(
    { method: 'post', path: '/admin/centers', tag, summary: 'Create an exam center (name unique)', roles: ADMIN, body: CreateCenterRequest, responses: { 201: Center }, errors: [409] },
    async ({ c, body, principal }) => c.json(await s.places.createCenter(actor(c, principal), body), 201),
  );
  r.add(
    { method: 'get', path: '/admin/centers/:centerId', tag, summary: 'Read an exam center', roles: ADMIN, params: CenterParams, responses: { 200: Center }, errors: [404] },
    async ({ c, params }) => c.json(await s.places.getCenter(params.centerId)),
  );
  r.add(
    { method: 'patch', path: '/admin/centers/:centerId', tag, summary: 'Rename an exam center or change its address', roles: ADMIN, params: CenterParams, body: UpdateCenterRequest, responses: { 200: Center }, errors: [404, 409] },
    async ({ c, params, body, principal }) => c.json(await s.places.updateCenter(actor(c, principal), params.centerId, body)),
  );
  r.add(
    {
      method: 'delete',
      path: '/admin/centers/:centerId',
      tag,
      summary: 'Delete an exam center (409 while it has rooms, registrations or sessions; its staff assignments go with it)',
      roles: ADMIN,
      params: CenterParams,
      responses: { 204: null },
      errors: [404, 409],
    },
    async ({ c, params, principal }) => {
      await s.places.deleteCenter(actor(c, principal), params.centerId);
      return c.body(null, 204);
    },
  );
  r.add(
    { method: 'get', path: '/admin/centers/:centerId/rooms', tag, summary: 'List the rooms of a center', roles: ADMIN, params: CenterParams, responses: { 200: RoomList }, errors: [404] },
    async ({ c, params }) => c.json(await s.places.listRooms(params.centerId)),
  );
  r.add(
    { method: 'post', path: '/admin/centers/:centerId/rooms', tag, summary: 'Add a room to a center (name unique within the center)', roles: ADMIN, params: CenterParams, body: CreateRoomRequest, responses: { 201: Room }, errors: [404, 409] },
    async ({ c, params, body, principal }) => c.json(await s.places.createRoom(actor(c, principal), params.centerId, body), 201),
  );
  r.add(
    { method: 'get', path: '/admin/rooms/:roomId', tag, summary: 'Read a room', roles: ADMIN, params: RoomParams, responses: { 200: Room }, errors: [404] },
    async ({ c, params }) => c.json(await s.places.getRoom(params.roomId)),
  );
  r.add(
    { method: 'patch', path: '/admin/rooms/:roomId', tag, summary: 'Rename a room or change its capacity', roles: ADMIN, params: RoomParams, body: UpdateRoomRequest, responses: { 200: Room }, errors: [404, 409] },
    async ({ c, params, body, principal }) => c.json(await s.places.updateRoom(actor(c, principal), params.roomId, body)),
  );
  r.add(
    {
      method: 'delete',
      path: '/admin/rooms/:roomId',
      tag,
      summary: 'Delete a room (409 while registrations or sessions use it; its staff assignments go with it)',
      roles: ADMIN,
      params: RoomParams,
      responses: { 204: null },
      errors: [404, 409],
    },
    async ({ c, params, principal }) => {
      await s.places.deleteRoom(actor(c, principal), params.roomId);
      return c.body(null, 204);
    },
  );

  // ---- Staff accounts ----
  r.add({ method: 'get', path: '/admin/staff', tag, summary: 'List staff accounts (never password hashes)', roles: ADMIN, responses: { 200: StaffList } }, async ({ c }) => c.json(await s.staff.list()));
  r.add(
    { method: 'post', path: '/admin/staff', tag, summary: 'Create a staff account (username unique, password ≥ 12 characters)', roles: ADMIN, body: CreateStaffRequest, responses: { 201: StaffAccount }, errors: [409] },
    async ({ c, body, principal }) => c.json(await s.staff.create(actor(c, principal), body), 201),
  );
  r.add(
    { method: 'get', path: '/admin/staff/:staffId', tag, summary: 'Read a staff account', roles: ADMIN, params: StaffParams, responses: { 200: StaffAccount }, errors: [404] },
    async ({ c, params }) => c.json(await s.staff.get(params.staffId)),
  );
  r.add(
    {
      method: 'patch',
      path: '/admin/staff/:staffId',
      tag,
      summary: 'Change role, display name or disabled; a role change or disabling ends all the account’s login sessions',
      roles: ADMIN,
      params: StaffParams,
      body: UpdateStaffRequest,
      responses: { 200: UpdateStaffResponse },
      errors: [404, 409],
    },
    async ({ c, params, body, principal }) => c.json(await s.staff.update(actor(c, principal), params.staffId, body)),
  );
  r.add(
    {
      method: 'post',
      path: '/admin/staff/:staffId/password',
      tag,
      summary: 'Set a new password for a staff account; all its login sessions end',
      roles: ADMIN,
      params: StaffParams,
      body: ResetPasswordRequest,
      responses: { 200: ResetPasswordResponse },
      errors: [404],
    },
    async ({ c, params, body, principal }) => c.json(await s.staff.resetPassword(actor(c, principal), params.staffId, body.password)),
  );
  r.add(
    {
      method: 'put',
      path: '/admin/staff/:staffId/assignments',
      tag,
      summary: 'Replace the centers/rooms a proctor may see and act on',
      roles: ADMIN,
      params: StaffParams,
      body: SetAssignmentsRequest,
      responses: { 200: StaffAccount },
      errors: [404],
    },
    async ({ c, params, body, principal }) => c.json(await s.staff.setAssignments(actor(c, principal), params.staffId, body)),
  );

  // ---- Exams (create is in routes/staff-routes.ts) ----
  r.add(
    {
      method: 'get',
      path: '/admin/exams/:examId',
      tag,
      summary: 'Read an exam with its scoring keys, status, window, policy and counts (a superset of the PROTOCOL Exam)',
      roles: ADMIN,
      params: ExamParams,
      responses: { 200: AdminExam },
      errors: [404],
    },
    async ({ c, params }) => c.json(await s.exams.get(params.examId)),
  );
  r.add(
    { method: 'get', path: '/admin/exams', tag, summary: 'List exams with status, window, policy and counts, newest first', roles: ADMIN, query: AdminExamListQuery, responses: { 200: AdminExamList } },
    async ({ c, query }) => c.json(await s.exams.list(query as z.infer<typeof AdminExamListQuery>)),
  );
  r.add(
    {
      method: 'patch',
      path: '/admin/exams/:examId',
      tag,
      summary: 'Change title, duration or questions (questions: 409 once any session of the exam exists)',
      roles: ADMIN,
      params: ExamParams,
      body: UpdateExamRequest,
      responses: { 200: AdminExam },
      errors: [404, 409],
    },
    async ({ c, params, body, principal }) => c.json(await s.exams.update(actor(c, principal), params.examId, body)),
  );
  r.add(
    { method: 'post', path: '/admin/exams/:examId/open', tag, summary: 'Open an exam: candidates may start (within its window); 409 NO_QUESTIONS without questions', roles: ADMIN, params: ExamParams, responses: { 200: AdminExam }, errors: [404, 409] },
    async ({ c, params, principal }) => c.json(await s.exams.setStatus(actor(c, principal), params.examId, 'open')),
  );
  r.add(
    {
      method: 'post',
      path: '/admin/exams/:examId/close',
      tag,
      summary: 'Close an exam: no new starts (running sessions go on until submitted or timed out). With sessions running, 409 SESSIONS_RUNNING (details.running) unless ?confirm=true',
      roles: ADMIN,
      params: ExamParams,
      query: CloseExamQuery,
      responses: { 200: AdminExam },
      errors: [404, 409],
    },
    async ({ c, params, principal, query }) => c.json(await s.exams.setStatus(actor(c, principal), params.examId, 'closed', { confirm: (query as z.infer<typeof CloseExamQuery>).confirm === 'true' })),
  );
  r.add(
    { method: 'put', path: '/admin/exams/:examId/window', tag, summary: 'Set when candidates may start (opensAt/closesAt, ISO UTC, null = no limit)', roles: ADMIN, params: ExamParams, body: ExamWindowRequest, responses: { 200: AdminExam }, errors: [404] },
    async ({ c, params, body, principal }) => c.json(await s.exams.setWindow(actor(c, principal), params.examId, body)),
  );
  r.add(
    {
      method: 'put',
      path: '/admin/exams/:examId/policy',
      tag,
      summary: 'Replace the exam’s session-policy overrides (heartbeat interval, missed heartbeats, recovery attempts, paused TTL)',
      roles: ADMIN,
      params: ExamParams,
      body: ExamPolicyRequest,
      responses: { 200: AdminExam },
      errors: [404],
    },
    async ({ c, params, body, principal }) => c.json(await s.exams.setPolicy(actor(c, principal), params.examId, body)),
  );

  r.add(
    { method: 'post', path: '/admin/exams/:examId/duplicate', tag, summary: 'Duplicate an exam: a new draft with its questions, duration and policy, and a new exam code', roles: ADMIN, params: ExamParams, responses: { 201: AdminExam }, errors: [404] },
    async ({ c, params, principal }) => c.json(await s.exams.duplicate(actor(c, principal), params.examId), 201),
  );
  r.add(
    { method: 'get', path: '/admin/exams/:examId/preview', tag, summary: 'The exam as a candidate sees it (no scoring keys), whatever its status', roles: ADMIN, params: ExamParams, responses: { 200: CandidateExamView }, errors: [404] },
    async ({ c, params }) => c.json(await s.exams.preview(params.examId)),
  );

  // ---- Roster and seating ----
  r.add(
    {
      method: 'post',
      path: '/admin/exams/:examId/roster',
      tag,
      summary:
        'Import a roster: text/csv (header candidateId,name[,accessCode,center,room,seat]; rows without an access code get a generated one, answered once in issuedCodes) or application/json {candidates:[...]}; ?atomic=true (default: all or nothing, 422 with the report if any row is bad) or false (imports the good rows); ?format=csv|json overrides the Content-Type. Answers a per-row report with source line numbers.',
      roles: ADMIN,
      params: ExamParams,
      query: RosterImportQuery,
      responses: { 200: RosterReport, 422: RosterReport },
      errors: [404, 413],
    },
    async ({ c, params, principal, query }) => {
      const q = query as z.infer<typeof RosterImportQuery>;
      await s.roster.assertExam(params.examId);
      const format = rosterFormat(c, q.format);
      const text = await bodyText(c);
      const { status, report } = await s.roster.import(actor(c, principal), params.examId, text, format, q.atomic !== 'false');
      return c.json(report, status);
    },
  );
  r.add(
    {
      method: 'get',
      path: '/admin/exams/:examId/registrations',
      tag,
      summary: 'List an exam’s registrations with their placement, by candidate id (never access codes)',
      roles: ADMIN,
      params: ExamParams,
      query: RegistrationListQuery,
      responses: { 200: RegistrationList },
      errors: [404],
    },
    async ({ c, params, query }) => c.json(await s.roster.listRegistrations(params.examId, query as z.infer<typeof RegistrationListQuery>)),
  );
  r.add(
    {
      method: 'put',
      path: '/admin/exams/:examId/registrations/:candidateId',
      tag,
      summary: 'Set where a registered candidate sits (center, room, seat; omitted = cleared; 409 if the seat is taken)',
      roles: ADMIN,
      params: RegistrationParams,
      body: PlaceRegistrationRequest,
      responses: { 200: AdminRegistration },
      errors: [404, 409],
    },
    async ({ c, params, body, principal }) => c.json(await s.roster.place(actor(c, principal), params.examId, params.candidateId, body)),
  );
  r.add(
    {
      method: 'put',
      path: '/admin/exams/:examId/registrations/:candidateId/accommodations',
      tag,
      summary: 'Set planned extra time and rest breaks (minutes) of a registration; extra time is added to the allowed time at start, apart from incident time (409 ALREADY_STARTED once started)',
      roles: ADMIN,
      params: RegistrationParams,
      body: AccommodationsRequest,
      responses: { 200: AdminRegistration },
      errors: [404, 409],
    },
    async ({ c, params, body, principal }) => c.json(await s.roster.setAccommodations(actor(c, principal), params.examId, params.candidateId, body)),
  );
  r.add(
    {
      method: 'post',
      path: '/admin/exams/:examId/registrations/:candidateId/access-code',
      tag,
      summary: 'Issue a new generated access code (answered once; only its hash is kept). The old code stops working and every login made with it is revoked',
      roles: ADMIN,
      params: RegistrationParams,
      responses: { 200: ReissuedCode },
      errors: [404],
    },
    async ({ c, params, principal }) => c.json(await s.roster.reissueCode(actor(c, principal), params.examId, params.candidateId)),
  );
}
