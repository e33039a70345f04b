import {
  AnswersResponse,
  CandidateExamView,
  ClaimTransferRequest,
  ClaimTransferResponse,
  CandidateLoginResponse,
  ErrorEnvelope,
  HeartbeatResponse,
  MyWaiverResponse,
  RecoverResponse,
  SaveAnswerResponse,
  SessionInfo,
  StartSessionResponse,
  type AnswerValue,
  type CandidateLoginRequest,
  type HeartbeatRequest,
  type StartSessionRequest,
  OfflineDeviceKeyResponse,
} from '@invigil/contract';
import { TLSSocket } from 'node:tls';
import { buildConnector, Agent as HttpAgent, fetch as httpFetch, type Dispatcher } from 'undici';
import { z } from 'zod';

/** What `GET /healthz` answers (apps/server/src/app.ts); not part of PROTOCOL.md, so kept loose. */
export const HealthResponse = z.object({ status: z.literal('ok'), version: z.string().optional(), time: z.string().optional() });

/** The server answered with an error envelope (or an unexpected status). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached (connection refused or reset, DNS, timeout). */
export class NetworkError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'NetworkError';
  }
}

export interface ApiClientOptions {
  /** e.g. `http://exam-server:8080` (the client adds `/api/v1`) */
  serverUrl: string;
  timeoutMs: number;
  userAgent?: string;
  /**
   * How long an idle connection is kept for the next request. Longer than the heartbeat interval, so a
   * kiosk keeps one connection instead of opening one per heartbeat (Node's fetch drops idle ones after
   * 4 s; the server keeps them 65 s).
   */
  keepAliveMs?: number;
  /**
   * The SHA-256 fingerprint of the server's TLS certificate (hex, colons optional), as provisioned
   * in kiosk.json: then only https is spoken and only to a server presenting exactly that
   * certificate (a self-signed one too); any other is refused before a byte of the request is sent.
   */
  pinnedCertSha256?: string;
}

/** `AB:CD:…` or `abcd…` → `abcd…`; null unless it is 32 bytes of hex. */
export function normalizeFingerprint(s: string): string | null {
  const hex = s.replace(/[:\s]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

/** One connection pool per client: kept alive across heartbeats, connects time out like requests. */
function connectionPool(o: ApiClientOptions): HttpAgent {
  const keepAlive = o.keepAliveMs ?? 60_000;
  const pin = o.pinnedCertSha256 === undefined ? null : normalizeFingerprint(o.pinnedCertSha256);
  if (o.pinnedCertSha256 !== undefined && pin === null) throw new Error('the pinned certificate fingerprint must be a SHA-256 in hex (64 digits, colons allowed)');
  const pool = { keepAliveTimeout: keepAlive, keepAliveMaxTimeout: keepAlive, connections: 2 };
  if (pin === null) return new HttpAgent({ ...pool, connect: { timeout: o.timeoutMs } });
  // Pinned: the certificate is checked against the pin instead of a CA (a centre's own certificate).
  const base = buildConnector({ timeout: o.timeoutMs, rejectUnauthorized: false });
  const connect: buildConnector.connector = (opts, callback) =>
    base(opts, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('no connection'), null);
      const seen = socket instanceof TLSSocket ? normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '') : null;
      if (seen !== pin) {
        socket.destroy();
        const e = new Error(seen === null ? 'the server did not present a TLS certificate, but this kiosk is pinned to one' : `the server's certificate (SHA-256 ${seen}) is not the one this kiosk is pinned to`);
        (e as NodeJS.ErrnoException).code = 'CERT_PIN_MISMATCH';
        return callback(e, null);
      }
      callback(null, socket);
    });
  return new HttpAgent({ ...pool, connect });
}

/** The candidate side of PROTOCOL.md over fetch, every answer validated with the contract. */
export class ApiClient {
  private base: string;
  private origin: string;
  token: string | null = null;
  /** Per-request timeout; the agent adjusts it to the heartbeat interval the server gives. */
  timeoutMs: number;
  private pool: HttpAgent;

  constructor(private readonly o: ApiClientOptions) {
    this.origin = o.serverUrl.replace(/\/+$/, '');
    this.base = `${this.origin}/api/v1`;
    this.timeoutMs = o.timeoutMs;
    this.pool = connectionPool(o);
  }

  /** Closes the kept-alive connections (the agent's close). */
  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Points the client at another server (the connect screen); the login token is dropped. */
  setServerUrl(serverUrl: string): void {
    this.origin = serverUrl.replace(/\/+$/, '');
    this.base = `${this.origin}/api/v1`;
    this.token = null;
    const old = this.pool;
    this.pool = connectionPool(this.o);
    void old.close().catch(() => undefined);
  }

  private async request<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown, root = false): Promise<z.infer<S>> {
    if (!this.origin) throw new ApiError(0, 'NOT_CONFIGURED', 'no exam server is configured on this kiosk');
    if (this.o.pinnedCertSha256 !== undefined && !this.origin.startsWith('https://')) {
      throw new NetworkError(`this kiosk is pinned to a TLS certificate and speaks only https, not ${this.origin}`);
    }
    // A timer of our own, cleared once the answer is read: a timeout signal left armed after the
    // request would fire later and take the kept-alive connection down with it.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException(`no answer within ${this.timeoutMs} ms`, 'TimeoutError')), this.timeoutMs);
    try {
      return await this.exchange(method, path, schema, body, root, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async exchange<S extends z.ZodType>(method: string, path: string, schema: S, body: unknown, root: boolean, signal: AbortSignal): Promise<z.infer<S>> {
    let res: Awaited<ReturnType<typeof httpFetch>>;
    try {
      res = await httpFetch(`${root ? this.origin : this.base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(this.o.userAgent ? { 'user-agent': this.o.userAgent } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        dispatcher: this.pool as Dispatcher,
      });
    } catch (e) {
      throw new NetworkError(`cannot reach the server: ${(e as Error).message}`, e);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new NetworkError(`the connection broke while reading the answer: ${(e as Error).message}`, e);
    }
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const env = ErrorEnvelope.safeParse(json);
      if (env.success) throw new ApiError(res.status, env.data.error.code, env.data.error.message, env.data.error.details);
      // A proxy's 502/503/504 page means "the server is not there" as much as a refused connection.
      if (res.status === 502 || res.status === 503 || res.status === 504) throw new NetworkError(`the server is unavailable (HTTP ${res.status})`);
      throw new ApiError(res.status, res.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', `HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(res.status, 'INTERNAL', `unexpected answer from ${method} ${path}: ${parsed.error.message}`);
    return parsed.data;
  }

  /** `GET /healthz` (outside /api/v1): is an Invigil server there, and what time is it on it. */
  health() {
    return this.request('GET', '/healthz', HealthResponse, undefined, true);
  }

  /** Which failed pre-exam checks a proctor waived for the signed-in candidate (issue H). */
  checkWaiver() {
    return this.request('GET', '/exams/sessions/check-waiver', MyWaiverResponse);
  }

  login(req: CandidateLoginRequest) {
    return this.request('POST', '/auth/candidate/login', CandidateLoginResponse, req);
  }

  exam(examId: string) {
    return this.request('GET', `/exams/${encodeURIComponent(examId)}`, CandidateExamView);
  }

  start(req: StartSessionRequest) {
    return this.request('POST', '/exams/sessions/start', StartSessionResponse, req);
  }

  heartbeat(req: HeartbeatRequest) {
    return this.request('POST', '/exams/sessions/heartbeat', HeartbeatResponse, req);
  }

  recover(attemptId: string, recoveryToken: string, signature: string) {
    return this.request('POST', `/exams/sessions/${encodeURIComponent(attemptId)}/recover`, RecoverResponse, { recoveryToken, signature });
  }

  saveAnswer(attemptId: string, questionId: string, value: AnswerValue, clientSeq: number) {
    return this.request(
      'PUT',
      `/exams/sessions/${encodeURIComponent(attemptId)}/answers/${encodeURIComponent(questionId)}`,
      SaveAnswerResponse,
      { value, clientSeq },
    );
  }

  answers(attemptId: string) {
    return this.request('GET', `/exams/sessions/${encodeURIComponent(attemptId)}/answers`, AnswersResponse);
  }

  claimTransfer(req: z.infer<typeof ClaimTransferRequest>) {
    return this.request('POST', '/exams/sessions/transfer/claim', ClaimTransferResponse, req);
  }

  offlineKey(attemptId: string, body: { boxPublicKey: string; signature: string }) {
    return this.request('POST', `/exams/sessions/${encodeURIComponent(attemptId)}/offline-key`, OfflineDeviceKeyResponse, body);
  }

  submit(attemptId: string) {
    return this.request('POST', `/exams/sessions/${encodeURIComponent(attemptId)}/submit`, SessionInfo);
  }
}
