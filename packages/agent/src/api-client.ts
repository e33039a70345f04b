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
} from '@invigil/contract';
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
}

/** The candidate side of PROTOCOL.md over fetch, every answer validated with the contract. */
export class ApiClient {
  private base: string;
  private origin: string;
  token: string | null = null;
  /** Per-request timeout; the agent adjusts it to the heartbeat interval the server gives. */
  timeoutMs: number;

  constructor(private readonly o: ApiClientOptions) {
    this.origin = o.serverUrl.replace(/\/+$/, '');
    this.base = `${this.origin}/api/v1`;
    this.timeoutMs = o.timeoutMs;
  }

  /** Points the client at another server (the connect screen); the login token is dropped. */
  setServerUrl(serverUrl: string): void {
    this.origin = serverUrl.replace(/\/+$/, '');
    this.base = `${this.origin}/api/v1`;
    this.token = null;
  }

  private async request<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown, root = false): Promise<z.infer<S>> {
    if (!this.origin) throw new ApiError(0, 'NOT_CONFIGURED', 'no exam server is configured on this kiosk');
    let res: Response;
    try {
      res = await fetch(`${root ? this.origin : this.base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(this.o.userAgent ? { 'user-agent': this.o.userAgent } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
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

  submit(attemptId: string) {
    return this.request('POST', `/exams/sessions/${encodeURIComponent(attemptId)}/submit`, SessionInfo);
  }
}
