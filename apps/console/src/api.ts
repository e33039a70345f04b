import type { ErrorEnvelope } from '@invigil/contract';

/** An error answer from the API, with the contract's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const API = '/api/v1';

type Listener = () => void;

/** The bearer token of this tab (sessionStorage: survives a reload, not a closed tab). */
export const auth = {
  key: 'invigil.console.auth',
  listeners: new Set<Listener>(),
  get(): { token: string; user: { id: string; username: string; role: 'admin' | 'proctor' }; expiresAt: string } | null {
    try {
      const raw = sessionStorage.getItem(this.key);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  },
  set(v: { token: string; user: { id: string; username: string; role: 'admin' | 'proctor' }; expiresAt: string } | null): void {
    if (v) sessionStorage.setItem(this.key, JSON.stringify(v));
    else sessionStorage.removeItem(this.key);
    for (const l of this.listeners) l();
  },
  token(): string | null {
    return this.get()?.token ?? null;
  },
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  },
};

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  /** Raw body (e.g. CSV text) with its content type. */
  raw?: { body: BodyInit; contentType: string };
  signal?: AbortSignal;
}

export function url(path: string, query?: RequestOptions['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `${API}${path}${s ? `?${s}` : ''}`;
}

export async function parseError(res: Response): Promise<ApiError> {
  let env: Partial<ErrorEnvelope> | undefined;
  try {
    env = (await res.json()) as ErrorEnvelope;
  } catch {
    /* not JSON */
  }
  const e = env?.error;
  return new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? res.statusText ?? 'request failed', e?.details);
}

/** JSON request to the API with this tab's token; a 401 signs the tab out. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const token = auth.token();
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (opts.raw) {
    headers['content-type'] = opts.raw.contentType;
    body = opts.raw.body;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), { method, headers, body, signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', 'the server cannot be reached; check the network and try again');
  }
  if (!res.ok) {
    const err = await parseError(res);
    if (res.status === 401 && token && path !== '/auth/staff/login') auth.set(null);
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown, query?: RequestOptions['query']) => request<T>('POST', path, { body, query }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** A human sentence for any thrown value. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) {
    const d = e.details as { path?: string; message: string }[] | undefined;
    const issues = Array.isArray(d) ? d.map((i) => `${i.path || 'value'}: ${i.message}`).join('; ') : '';
    return issues ? `${e.message} (${issues})` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
