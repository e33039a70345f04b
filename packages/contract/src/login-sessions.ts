import { z } from 'zod';
import { Id, IsoDateTime } from './common.ts';
import { Role } from './staff.ts';

export const LoginDeviceInfo = z.object({
  deviceType: z.string(),
  deviceName: z.string(),
  browser: z.string(),
  os: z.string(),
  userAgent: z.string(),
});
export type LoginDeviceInfo = z.infer<typeof LoginDeviceInfo>;

export const LoginSession = z.object({
  id: Id,
  deviceInfo: LoginDeviceInfo,
  ipAddress: z.string(),
  createdAt: IsoDateTime,
  lastActivity: IsoDateTime,
  /** Slides with activity: the earlier of the idle and the absolute deadline. */
  expiresAt: IsoDateTime,
  isCurrent: z.boolean(),
});
export type LoginSession = z.infer<typeof LoginSession>;

export const LoginSessionList = z.array(LoginSession);
export const LoginSessionCount = z.object({ count: z.number().int() });

export const LoginSessionAnalytics = z.object({
  total: z.number().int(),
  active: z.number().int(),
  recent: z.array(
    z.object({
      id: Id,
      deviceType: z.string(),
      deviceName: z.string(),
      ipAddress: z.string(),
      createdAt: IsoDateTime,
      endedAt: IsoDateTime.nullable(),
      endReason: z.string().nullable(),
    }),
  ),
  deviceTypes: z.record(z.string(), z.number().int()),
  averageDurationSeconds: z.number(),
  createdLast24h: z.number().int(),
  revokedLast24h: z.number().int(),
  createdLast7d: z.number().int(),
  revokedLast7d: z.number().int(),
});
export type LoginSessionAnalytics = z.infer<typeof LoginSessionAnalytics>;

export const RevokeOneResponse = z.object({ success: z.literal(true) });
export const RevokeOthersResponse = z.object({ success: z.literal(true), revoked: z.number().int() });

export const OnLimit = z.enum(['terminate_oldest', 'deny_new']);
export type OnLimit = z.infer<typeof OnLimit>;

export const RolePolicy = z.object({
  idleTimeoutMinutes: z.number().int().min(1).max(7 * 24 * 60),
  absoluteTimeoutMinutes: z.number().int().min(1).max(30 * 24 * 60),
  maxSessions: z.number().int().min(1).max(100),
  onLimit: OnLimit,
  /** Candidates: refuse a new login while one of their exam sessions is active. */
  denyWhileExamActive: z.boolean().default(false),
});
export type RolePolicy = z.infer<typeof RolePolicy>;

export const RolePolicies = z.record(Role, RolePolicy);
export type RolePolicies = z.infer<typeof RolePolicies>;

export const ChangePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(500),
  newPassword: z.string().min(12, 'at least 12 characters').max(500),
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;
