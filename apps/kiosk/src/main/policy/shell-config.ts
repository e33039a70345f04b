import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { normalizeFingerprint } from '@invigil/agent';
import { parseQuitCodeHash } from './quit-code.ts';

/**
 * The kiosk's provisioned configuration: written by whoever installs the kiosk (an admin, an
 * MDM/GPO script, the installer), readable by the candidate's user but writable only by an
 * administrator. It holds the scrypt hash of the staff quit code and, optionally, the exam
 * server's address (otherwise the candidate-facing connect screen asks for it).
 *
 *   { "v": 1, "quitCodeHash": "scrypt$15$8$1$...", "serverUrl": "https://exam-server:8443",
 *     "serverCertSha256": "AB:CD:…" }   (optional: pins the server's certificate)
 *
 * Make the hash with `pnpm --filter @invigil/kiosk quit-code-hash` (reads the code from stdin).
 */
export const ShellConfig = z
  .object({
    v: z.literal(1),
    quitCodeHash: z.string().refine((s) => parseQuitCodeHash(s) !== null, 'not a quit code hash made by quit-code-hash (scrypt$logN$r$p$salt$hash)'),
    serverUrl: z.string().url().optional(),
    /** The SHA-256 fingerprint of the exam server's TLS certificate: the kiosk then talks only to it (https). */
    serverCertSha256: z
      .string()
      .refine((s) => normalizeFingerprint(s) !== null, 'a SHA-256 fingerprint in hex (64 digits, colons allowed), e.g. from `openssl x509 -noout -fingerprint -sha256 -in cert.pem`')
      .optional(),
    /**
     * The exam server's offline signing key (`signingPublicKey` of GET /api/v1/offline/keys): offline
     * staff codes and offline bundles (README "Offline staff codes"). Without it there are none.
     */
    serverPublicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the signingPublicKey of GET /api/v1/offline/keys (43 base64url characters)').optional(),
  })
  .strict();
export type ShellConfig = z.infer<typeof ShellConfig>;

export const SHELL_CONFIG_FILE = 'kiosk.json';
/** Honoured only by an unpackaged (development / test) run: a release reads the system path only. */
export const SHELL_CONFIG_ENV = 'INVIGIL_KIOSK_CONFIG';

/** Where a release kiosk looks: a machine-wide folder only administrators can write. */
export function systemConfigPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Invigil', SHELL_CONFIG_FILE);
    case 'darwin':
      return path.posix.join('/Library/Application Support/Invigil', SHELL_CONFIG_FILE);
    default:
      return path.posix.join('/etc/invigil', SHELL_CONFIG_FILE);
  }
}

export function shellConfigPath(o: { isPackaged: boolean; platform: NodeJS.Platform; env: NodeJS.ProcessEnv }): string {
  const override = o.env[SHELL_CONFIG_ENV];
  if (!o.isPackaged && override) return override;
  return systemConfigPath(o.platform, o.env);
}

export type ShellConfigResult = { ok: true; config: ShellConfig; path: string } | { ok: false; path: string; problem: string };

/** Reads and validates the config; never throws, says what is wrong in words an admin can act on. */
export function loadShellConfig(file: string, read: (p: string) => string = (p) => readFileSync(p, 'utf8')): ShellConfigResult {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, path: file, problem: code === 'ENOENT' ? `no kiosk configuration at ${file}` : `cannot read ${file}: ${(e as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, path: file, problem: `${file} is not valid JSON: ${(e as Error).message}` };
  }
  const parsed = ShellConfig.safeParse(json);
  if (!parsed.success) {
    return { ok: false, path: file, problem: `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ')}` };
  }
  return { ok: true, config: parsed.data, path: file };
}
