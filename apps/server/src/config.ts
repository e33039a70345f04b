import { z } from 'zod';

const int = (def: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

/** Every environment variable the server honours (PROTOCOL.md "Configuration"), validated at start. */
export const ConfigSchema = z.object({
  PORT: int(8080, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_USERNAME: z.string().trim().min(1).max(100).default('admin'),
  ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must have at least 12 characters').max(500).optional(),
  HEARTBEAT_INTERVAL_MS: int(10_000, 50, 3_600_000),
  MISSED_HEARTBEATS_BEFORE_PAUSE: int(3, 1, 1_000),
  PAUSED_SESSION_TTL_MS: int(86_400_000, 1_000),
  MAX_RECOVERY_ATTEMPTS: int(3, 1, 100),
  MAX_PAUSED_SESSIONS: int(3, 1, 100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Take the client address from X-Forwarded-For (only behind a trusted reverse proxy). */
  TRUST_PROXY: z.stringbool().default(false),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
