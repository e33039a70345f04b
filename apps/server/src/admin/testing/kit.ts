import { call, type SpawnedServer } from '../../testing/harness.ts';

/** Signs in as the bootstrap admin. */
export async function adminToken(s: SpawnedServer): Promise<string> {
  const r = await call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password: s.adminPassword });
  if (r.status !== 200) throw new Error(`admin login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/** A JSON client bound to one server and token: `api('GET', '/admin/centers')`. */
export function client(s: SpawnedServer, token: string) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(`${s.api}${path}`, method, body, token, headers);
}

/** Creates a staff account as the admin and signs it in. */
export async function staffWithToken(s: SpawnedServer, admin: string, user: { username: string; password: string; role: 'admin' | 'proctor'; displayName?: string }) {
  const created = await call(`${s.api}/admin/staff`, 'POST', user, admin);
  if (created.status !== 201) throw new Error(`staff create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await call(`${s.api}/auth/staff/login`, 'POST', { username: user.username, password: user.password });
  if (login.status !== 200) throw new Error(`staff login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: created.body.id as string, token: login.body.token as string };
}

/** Posts a roster body as-is (CSV text or JSON) with its content type. */
export function postRoster(s: SpawnedServer, token: string, examId: string, body: string, opts: { atomic?: boolean; format?: 'csv' | 'json'; contentType?: string } = {}) {
  const q = new URLSearchParams();
  if (opts.atomic !== undefined) q.set('atomic', String(opts.atomic));
  if (opts.format) q.set('format', opts.format);
  const qs = q.size ? `?${q}` : '';
  return call(`${s.api}/admin/exams/${examId}/roster${qs}`, 'POST', body, token, { 'content-type': opts.contentType ?? 'text/csv' });
}
