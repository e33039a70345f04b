import { KioskIpc, KioskShellIpc, type KioskErrorCode, type KioskResult, type KioskShellCallName } from '@invigil/contract';
import type { IpcSenderInfo } from './policy/sender.ts';

export type ShellCallHandlers = { [N in KioskShellCallName]: (req: never) => Promise<unknown> };

export interface IpcRouterDeps {
  /** The agent's handler (createKioskIpcHandler): validates the request itself, answers the envelope. */
  agentCall: (name: string, payload: unknown) => Promise<KioskResult<unknown>>;
  /** Calls main answers itself (KioskShellIpc); they throw ShellCallError for a refusal. */
  shell: ShellCallHandlers;
  /** Whether a sender may call at all (policy/sender.ts). */
  isTrusted: (sender: IpcSenderInfo) => boolean;
}

/** A refusal from a shell call, carried to the renderer as `{ ok: false, error }`. */
export class ShellCallError extends Error {
  constructor(
    readonly code: KioskErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Every channel main answers: name → channel, from the contract (the agent's calls and the shell's). */
export function ipcChannels(): { name: string; channel: string; owner: 'agent' | 'shell' }[] {
  return [
    ...Object.entries(KioskIpc).map(([name, c]) => ({ name, channel: c.channel, owner: 'agent' as const })),
    ...Object.entries(KioskShellIpc).map(([name, c]) => ({ name, channel: c.channel, owner: 'shell' as const })),
  ];
}

/**
 * One function that answers every kiosk IPC call: refuses untrusted senders, routes agent calls
 * to the agent's handler (which validates the request and the response) and shell calls to main,
 * validating their request and response with the contract. Always answers the KioskResult
 * envelope; never throws.
 */
export function createIpcRouter(deps: IpcRouterDeps) {
  return async (name: string, sender: IpcSenderInfo, payload: unknown): Promise<KioskResult<unknown>> => {
    if (!deps.isTrusted(sender)) return { ok: false, error: { code: 'FORBIDDEN', message: 'this page may not call the kiosk' } };
    if (Object.hasOwn(KioskIpc, name)) return deps.agentCall(name, payload);
    if (!Object.hasOwn(KioskShellIpc, name)) return { ok: false, error: { code: 'UNKNOWN_CALL', message: `no kiosk call named ${name}` } };
    const call = KioskShellIpc[name as KioskShellCallName];
    const req = call.request.safeParse(payload ?? {});
    if (!req.success) {
      return { ok: false, error: { code: 'VALIDATION_FAILED', message: req.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') } };
    }
    try {
      const out = await (deps.shell[name as KioskShellCallName] as (r: unknown) => Promise<unknown>)(req.data);
      return { ok: true, data: call.response.parse(out) };
    } catch (e) {
      if (e instanceof ShellCallError) return { ok: false, error: { code: e.code, message: e.message } };
      return { ok: false, error: { code: 'INTERNAL', message: 'the kiosk could not do that' } };
    }
  };
}
