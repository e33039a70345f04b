import type { KioskConfig } from '@invigil/contract';
import { z } from 'zod';
import { readIfExists, writeFileAtomic } from './atomic-file.ts';
import { AgentError } from './agent-error.ts';

export const CONFIG_FILE = 'config.json';

const ConfigDoc = z.object({ v: z.literal(1), serverUrl: z.string(), centerId: z.string().nullable(), examId: z.string().nullable().optional() });

/**
 * Turns what someone typed on the connect screen into a server base URL, or says why not:
 * `exam-server:8080` → `http://exam-server:8080`; only http(s), no user:password, no ?query or #hash;
 * a path is kept (a server behind a reverse proxy under a prefix) without its trailing slash.
 */
export function normalizeServerUrl(input: string): string {
  const raw = input.trim();
  if (!raw) throw new AgentError('VALIDATION_FAILED', 'Enter the exam server address, for example http://exam-server:8080');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new AgentError('VALIDATION_FAILED', `"${raw}" is not a web address; use something like http://exam-server:8080`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AgentError('VALIDATION_FAILED', `The address must start with http:// or https:// (not ${u.protocol}//)`);
  if (!u.hostname) throw new AgentError('VALIDATION_FAILED', 'The address has no host name');
  if (u.username || u.password) throw new AgentError('VALIDATION_FAILED', 'The address must not contain a user name or password');
  if (u.search || u.hash) throw new AgentError('VALIDATION_FAILED', 'The address must not contain ? or # parts');
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** The kiosk's server address and exam center, kept in plain JSON in the agent's data folder (nothing secret). */
export async function readKioskConfig(path: string): Promise<KioskConfig | null> {
  const raw = await readIfExists(path);
  if (!raw) return null;
  const doc = ConfigDoc.parse(JSON.parse(raw.toString('utf8')));
  return { serverUrl: doc.serverUrl, centerId: doc.centerId, examId: doc.examId ?? null };
}

export async function writeKioskConfig(path: string, c: { serverUrl: string; centerId: string | null; examId?: string | null }): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ v: 1, serverUrl: c.serverUrl, centerId: c.centerId, ...(c.examId ? { examId: c.examId } : {}) }, null, 2)}\n`, 0o644);
}

/** Why a request did not reach the server, in words staff understand (from fetch's error and its cause). */
export function describeNetworkError(e: unknown): string {
  const chain: unknown[] = [];
  for (let c: unknown = e; c && chain.length < 5; c = (c as { cause?: unknown }).cause) chain.push(c);
  const code = chain.map((c) => (c as { code?: unknown }).code).find((x): x is string => typeof x === 'string');
  const name = chain.map((c) => (c as { name?: unknown }).name).find((x) => x === 'TimeoutError' || x === 'AbortError');
  if (name) return 'no answer in time';
  switch (code) {
    case 'ECONNREFUSED':
      return 'nothing answers at that address (connection refused)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'that host name is not known on this network';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'that network cannot be reached';
    case 'ECONNRESET':
      return 'the connection was cut';
    case 'CERT_PIN_MISMATCH':
      return "the server's TLS certificate is not the one this kiosk is pinned to (kiosk.json serverCertSha256)";
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'no answer in time';
    default:
      return code ? `network error ${code}` : 'the connection failed';
  }
}
