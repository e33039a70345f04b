import { RolePolicies, type Role, type RolePolicy } from '@invigil/contract';
import type { Database } from '../ports/database.ts';
import type { Principal } from '../ports/types.ts';

/** Defaults per role; admins can change them (stored in settings under `role_policies`). */
export const DEFAULT_ROLE_POLICIES: Record<Role, RolePolicy> = {
  admin: { idleTimeoutMinutes: 30, absoluteTimeoutMinutes: 12 * 60, maxSessions: 2, onLimit: 'terminate_oldest', denyWhileExamActive: false },
  proctor: { idleTimeoutMinutes: 60, absoluteTimeoutMinutes: 14 * 60, maxSessions: 5, onLimit: 'deny_new', denyWhileExamActive: false },
  candidate: { idleTimeoutMinutes: 60, absoluteTimeoutMinutes: 30 * 60, maxSessions: 1, onLimit: 'terminate_oldest', denyWhileExamActive: true },
};
const POLICY_KEY = 'role_policies';

/** Idle and absolute timeouts, the session limit and what happens at it, per role. */
export class RolePolicyService {
  constructor(private readonly d: { db: Database; now: () => number }) {}

  async policies(): Promise<Record<Role, RolePolicy>> {
    const stored = RolePolicies.safeParse((await this.d.db.repos.settings.get(POLICY_KEY)) ?? {});
    return { ...DEFAULT_ROLE_POLICIES, ...(stored.success ? stored.data : {}) };
  }

  async setPolicy(by: Principal, role: Role, policy: RolePolicy, ip: string): Promise<Record<Role, RolePolicy>> {
    return this.d.db.tx(async (r) => {
      const stored = RolePolicies.safeParse((await r.settings.get(POLICY_KEY)) ?? {});
      const next = { ...DEFAULT_ROLE_POLICIES, ...(stored.success ? stored.data : {}), [role]: policy };
      const t = this.d.now();
      await r.settings.put(POLICY_KEY, next, by.userId, t);
      await r.audit.append([{ at: t, actorType: 'staff', actorId: by.userId, action: 'policy.role_updated', detail: { role, policy }, ip }]);
      return next;
    });
  }
}
