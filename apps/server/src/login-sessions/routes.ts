import {
  CandidateLoginRequest,
  CandidateLoginResponse,
  ChangePasswordRequest,
  Id,
  LoginSessionAnalytics,
  LoginSessionCount,
  LoginSessionList,
  RevokeOneResponse,
  RevokeOthersResponse,
  RegistrationParams,
  Role,
  RolePolicies,
  RolePolicy,
  StaffLoginRequest,
  StaffLoginResponse,
} from '@invigil/contract';
import { z } from 'zod';
import { clientInfo } from '../http/client-info.ts';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { LoginService } from './login-service.ts';
import type { MySessionsService } from './my-sessions-service.ts';
import type { RolePolicyService } from './role-policies.ts';

export interface LoginSessionServices {
  login: LoginService;
  mine: MySessionsService;
  policies: RolePolicyService;
}

const anyone = ['admin', 'proctor', 'candidate'] as const;
const staff = ['admin', 'proctor'] as const;

/** Sign-in for staff and candidates, PROTOCOL.md "Login sessions", logout, password change, role policies. */
export function loginSessionRoutes(r: RouteRegistry, s: LoginSessionServices): void {
  r.add(
    { method: 'post', path: '/auth/staff/login', tag: 'staff', summary: 'Staff (admin, proctor) login', body: StaffLoginRequest, responses: { 200: StaffLoginResponse }, errors: [401, 429] },
    async ({ c, body }) => c.json(await s.login.staffLogin(body, clientInfo(c))),
  );
  r.add(
    { method: 'post', path: '/auth/candidate/login', tag: 'candidate', summary: 'Candidate login with exam, candidate id and access code', body: CandidateLoginRequest, responses: { 200: CandidateLoginResponse }, errors: [401, 429] },
    async ({ c, body }) => c.json(await s.login.candidateLogin(body, clientInfo(c))),
  );
  r.add({ method: 'get', path: '/sessions', tag: 'login sessions', summary: "The caller's own active login sessions", roles: anyone, responses: { 200: LoginSessionList } }, async ({ c, principal }) =>
    c.json(await s.mine.list(principal)),
  );
  r.add({ method: 'get', path: '/sessions/count', tag: 'login sessions', summary: 'How many active login sessions the caller has', roles: anyone, responses: { 200: LoginSessionCount } }, async ({ c, principal }) =>
    c.json(await s.mine.count(principal)),
  );
  r.add(
    { method: 'get', path: '/sessions/analytics', tag: 'login sessions', summary: 'Totals, device types, durations, creation and revocation rates', roles: anyone, responses: { 200: LoginSessionAnalytics } },
    async ({ c, principal }) => c.json(await s.mine.analytics(principal)),
  );
  r.add(
    { method: 'delete', path: '/sessions/:id', tag: 'login sessions', summary: 'Revoke one of your own sessions (404 for anybody else’s)', roles: anyone, params: z.object({ id: Id }), responses: { 200: RevokeOneResponse }, errors: [404] },
    async ({ c, params, principal }) => {
      await s.mine.revokeOwn(principal, params.id, c.get('ip'));
      return c.json({ success: true as const });
    },
  );
  r.add(
    { method: 'delete', path: '/sessions', tag: 'login sessions', summary: 'Revoke all your sessions except this one', roles: anyone, responses: { 200: RevokeOthersResponse } },
    async ({ c, principal }) => c.json({ success: true as const, revoked: await s.mine.revokeOthers(principal, c.get('ip')) }),
  );
  r.add({ method: 'post', path: '/auth/logout', tag: 'login sessions', summary: 'End this session', roles: anyone, responses: { 204: null } }, async ({ c, principal }) => {
    await s.mine.revokeOwn(principal, principal.sessionId, c.get('ip'));
    return c.body(null, 204);
  });
  r.add(
    {
      method: 'post',
      path: '/auth/password',
      tag: 'login sessions',
      summary: 'Change your password: every session of yours ends; this device gets a new token',
      roles: staff,
      body: ChangePasswordRequest,
      responses: { 200: StaffLoginResponse },
      errors: [401, 409],
    },
    async ({ c, body, principal }) => c.json(await s.login.changePassword(principal, body.currentPassword, body.newPassword, clientInfo(c))),
  );
  r.add(
    { method: 'delete', path: '/admin/users/:userId/sessions', tag: 'admin', summary: 'End every login session of a user', roles: ['admin'], params: z.object({ userId: Id }), responses: { 200: RevokeOthersResponse } },
    async ({ c, params, principal }) => c.json({ success: true as const, revoked: await s.mine.revokeAllSessionsOfUser(params.userId, 'revoked_by_admin', principal, c.get('ip')) }),
  );
  r.add(
    {
      method: 'delete',
      path: '/proctor/exams/:examId/candidates/:candidateId/login-throttle',
      tag: 'proctor',
      summary: 'Lift the sign-in delays of a candidate (wrong access codes from any address); proctors for candidates seated in their scope',
      roles: staff,
      params: RegistrationParams,
      responses: { 204: null },
      errors: [404],
    },
    async ({ c, params, principal }) => {
      await s.login.clearCandidateThrottle(principal, params.examId, params.candidateId, c.get('ip'));
      return c.body(null, 204);
    },
  );
  r.add(
    {
      method: 'get',
      path: '/admin/exams/:examId/candidates/:candidateId/sessions',
      tag: 'admin',
      summary: "A candidate's live logins for this exam (device, address, times)",
      roles: ['admin'],
      params: RegistrationParams,
      responses: { 200: LoginSessionList },
      errors: [404],
    },
    async ({ c, params }) => c.json(await s.mine.candidateLogins(params.examId, params.candidateId)),
  );
  r.add(
    {
      method: 'delete',
      path: '/admin/exams/:examId/candidates/:candidateId/sessions',
      tag: 'admin',
      summary: "End every login of a candidate for this exam (rotating the access code does this too)",
      roles: ['admin'],
      params: RegistrationParams,
      responses: { 200: RevokeOthersResponse },
      errors: [404],
    },
    async ({ c, params, principal }) => c.json({ success: true as const, revoked: await s.mine.revokeCandidateLogins(principal, params.examId, params.candidateId, c.get('ip')) }),
  );
  r.add(
    {
      method: 'delete',
      path: '/admin/exams/:examId/candidates/:candidateId/sessions/:id',
      tag: 'admin',
      summary: "End one login of a candidate (404 for anybody else's)",
      roles: ['admin'],
      params: RegistrationParams.extend({ id: Id }),
      responses: { 200: RevokeOneResponse },
      errors: [404],
    },
    async ({ c, params, principal }) => {
      await s.mine.revokeCandidateLogins(principal, params.examId, params.candidateId, c.get('ip'), params.id);
      return c.json({ success: true as const });
    },
  );
  r.add({ method: 'get', path: '/admin/policies/roles', tag: 'admin', summary: 'Login-session policy per role', roles: ['admin'], responses: { 200: RolePolicies } }, async ({ c }) => c.json(await s.policies.policies()));
  r.add(
    {
      method: 'put',
      path: '/admin/policies/roles/:role',
      tag: 'admin',
      summary: 'Set a role’s idle/absolute timeouts, session limit and what happens at the limit',
      roles: ['admin'],
      params: z.object({ role: Role }),
      body: RolePolicy,
      responses: { 200: RolePolicies },
    },
    async ({ c, params, body, principal }) => c.json(await s.policies.setPolicy(principal, params.role, body, c.get('ip'))),
  );
}
