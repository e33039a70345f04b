import { z } from 'zod';
import { parseProxyList } from './http/client-address.ts';

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
  /**
   * How many reverse proxies of ours stand in front (the client is the rightmost X-Forwarded-For
   * entry they did not add): false/0 = none (default), true = 1, or a number of hops.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .toLowerCase()
    .default('false')
    .transform((v, ctx) => {
      if (['true', 'yes', 'on'].includes(v)) return 1;
      if (['false', 'no', 'off'].includes(v)) return 0;
      if (/^\d+$/.test(v) && Number(v) <= 10) return Number(v);
      ctx.addIssue({ code: 'custom', message: 'TRUST_PROXY must be true, false or a number of proxy hops (0–10)' });
      return z.NEVER;
    }),
  /** Our proxies by address or CIDR, comma-separated (instead of a hop count): X-Forwarded-For is read only from them. */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined) return;
      try {
        parseProxyList(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `TRUSTED_PROXIES: ${(e as Error).message}` });
      }
    }),
  /** PostgreSQL holds all durable state (several instances may share it); unset: embedded SQLite in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  /** Redis holds presence, shared limits, live events and invalidations, so several processes can serve one exam. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL')
    .optional(),
  /** Every key of this deployment lives under it (two deployments may share one Redis). */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('invigil:'),
  /** The server secret (access-code hashes, archive signing); every instance of a cluster reads the same file. */
  SECRET_KEY_FILE: z.string().min(1).optional(),
  /** When set, GET /metrics needs `Authorization: Bearer <token>`; unset, it answers internal addresses only. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must have at least 16 characters').optional(),
  /** This instance's name in metrics and logs (default: host name and process id). */
  INSTANCE_NAME: z.string().min(1).max(100).optional(),
  /** On SIGTERM, how long in-flight requests may take before their connections are cut. */
  SHUTDOWN_GRACE_MS: int(10_000, 0, 120_000),
  /** How often an open live-event stream checks its login and scope again (it also does on every revocation). */
  SSE_RECHECK_MS: int(5_000, 100, 5_000),
  /** Open connections one client address may hold (a full hall behind one NAT address fits; see README). */
  MAX_CONNECTIONS_PER_ADDRESS: int(2_000, 1, 1_000_000),
  /** Serve HTTPS directly with this certificate (PEM, with its chain) and key; both or neither. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
}).refine((c) => (c.TLS_CERT_FILE === undefined) === (c.TLS_KEY_FILE === undefined), {
  message: 'set both TLS_CERT_FILE and TLS_KEY_FILE, or neither',
  path: ['TLS_CERT_FILE'],
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
