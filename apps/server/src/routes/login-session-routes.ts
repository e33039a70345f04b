import {
  ChangePasswordRequest,
  Id,
  LoginSessionAnalytics,
  LoginSessionCount,
  LoginSessionList,
  RevokeOneResponse,
  RevokeOthersResponse,
  Role,
  RolePolicies,
  RolePolicy,
  StaffLoginResponse,
} from '@invigil/contract';
import { z } from 'zod';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { Services } from '../services/services.ts';
import { clientInfo } from './client-info.ts';

const anyone = ['admin', 'proctor', 'candidate'] as const;
const staff = ['admin', 'proctor'] as const;

/** PROTOCOL.md "Login sessions", plus logout, password change and the admin's role policies. */
export function loginSessionRoutes(r: RouteRegistry, s: Services): void {
  r.add({ method: 'get', path: '/sessions', tag: 'login sessions', summary: "The caller's own active login sessions", roles: anyone, responses: { 200: LoginSessionList } }, ({ c, principal }) =>
    c.json(s.auth.list(principal)),
  );
  r.add({ method: 'get', path: '/sessions/count', tag: 'login sessions', summary: 'How many active login sessions the caller has', roles: anyone, responses: { 200: LoginSessionCount } }, ({ c, principal }) =>
    c.json(s.auth.count(principal)),
  );
  r.add(
    { method: 'get', path: '/sessions/analytics', tag: 'login sessions', summary: 'Totals, device types, durations, creation and revocation rates', roles: anyone, responses: { 200: LoginSessionAnalytics } },
    ({ c, principal }) => c.json(s.auth.analytics(principal)),
  );
  r.add(
    { method: 'delete', path: '/sessions/:id', tag: 'login sessions', summary: 'Revoke one of your own sessions (404 for anybody else’s)', roles: anyone, params: z.object({ id: Id }), responses: { 200: RevokeOneResponse }, errors: [404] },
    ({ c, params, principal }) => {
      s.auth.revokeOwn(principal, params.id, c.get('ip'));
      return c.json({ success: true as const });
    },
  );
  r.add(
    { method: 'delete', path: '/sessions', tag: 'login sessions', summary: 'Revoke all your sessions except this one', roles: anyone, responses: { 200: RevokeOthersResponse } },
    ({ c, principal }) => c.json({ success: true as const, revoked: s.auth.revokeOthers(principal, c.get('ip')) }),
  );
  r.add({ method: 'post', path: '/auth/logout', tag: 'login sessions', summary: 'End this session', roles: anyone, responses: { 204: null } }, ({ c, principal }) => {
    s.auth.revokeOwn(principal, principal.sessionId, c.get('ip'));
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
    async ({ c, body, principal }) => c.json(await s.auth.changePassword(principal, body.currentPassword, body.newPassword, clientInfo(c))),
  );
  r.add(
    { method: 'delete', path: '/admin/users/:userId/sessions', tag: 'admin', summary: 'End every login session of a user', roles: ['admin'], params: z.object({ userId: Id }), responses: { 200: RevokeOthersResponse } },
    ({ c, params, principal }) => c.json({ success: true as const, revoked: s.auth.revokeAllSessionsOfUser(params.userId, 'revoked_by_admin', principal, c.get('ip')) }),
  );
  r.add({ method: 'get', path: '/admin/policies/roles', tag: 'admin', summary: 'Login-session policy per role', roles: ['admin'], responses: { 200: RolePolicies } }, ({ c }) => c.json(s.auth.policies()));
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
    ({ c, params, body, principal }) => c.json(s.auth.setPolicy(principal, params.role, body, c.get('ip'))),
  );
}
