import { KioskErrorCode, type KioskError } from '@invigil/contract';
import { ApiError, NetworkError } from './api-client.ts';

/** An error the UI can show: a stable code (server codes plus kiosk-only ones) and a human message. */
export class AgentError extends Error {
  constructor(
    readonly code: KioskErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AgentError';
  }

  toJSON(): KioskError {
    return { code: this.code, message: this.message };
  }
}

/** Any thrown value as an AgentError (server errors keep their code, lost connections say OFFLINE). */
export function toAgentError(e: unknown): AgentError {
  if (e instanceof AgentError) return e;
  if (e instanceof NetworkError) return new AgentError('OFFLINE', e.message);
  if (e instanceof ApiError) {
    const code = KioskErrorCode.safeParse(e.code);
    return new AgentError(code.success ? code.data : 'INTERNAL', e.message, e.status);
  }
  return new AgentError('INTERNAL', e instanceof Error ? e.message : String(e));
}
