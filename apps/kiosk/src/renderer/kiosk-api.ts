import type { KioskCallName, KioskEvent, KioskRequest, KioskResponse, KioskResult, KioskShellCallName, KioskShellIpc, KioskState } from '@invigil/contract';
import type { z } from 'zod';

type ShellRequest<N extends KioskShellCallName> = z.infer<(typeof KioskShellIpc)[N]['request']>;
type ShellResponse<N extends KioskShellCallName> = z.infer<(typeof KioskShellIpc)[N]['response']>;

/**
 * What the preload (Electron) or the preview bridge puts on `window.kiosk`: one async function per
 * entry of the contract's `KioskIpc` (so a call added there appears here) and of `KioskShellIpc`
 * (calls Electron main answers itself, e.g. requestQuit), each resolving to the
 * result envelope and never rejecting, plus the two push subscriptions. Derived from the contract
 * only: the renderer imports types, never the preload or the agent.
 */
export type KioskBridge = {
  [N in KioskCallName]: (req: KioskRequest<N>) => Promise<KioskResult<KioskResponse<N>>>;
} & {
  [N in KioskShellCallName]: (req: ShellRequest<N>) => Promise<KioskResult<ShellResponse<N>>>;
} & {
  onState(fn: (s: KioskState) => void): () => void;
  onEvent(fn: (e: KioskEvent) => void): () => void;
};

declare global {
  interface Window {
    kiosk?: KioskBridge;
  }
}

/** The bridge, or null when the page is opened outside the kiosk (then the app says so). */
export function kioskBridge(): KioskBridge | null {
  return window.kiosk ?? null;
}

/** Calls `name`; a bridge that throws anyway (it should not) becomes an INTERNAL error envelope. */
export async function invoke<N extends KioskCallName>(k: KioskBridge, name: N, req: KioskRequest<N>): Promise<KioskResult<KioskResponse<N>>> {
  return call(() => (k[name] as (r: KioskRequest<N>) => Promise<KioskResult<KioskResponse<N>>>)(req));
}

/** The same for the shell's own calls (requestQuit). */
export function invokeShell<N extends KioskShellCallName>(k: KioskBridge, name: N, req: ShellRequest<N>): Promise<KioskResult<ShellResponse<N>>> {
  return call(() => (k[name] as (r: ShellRequest<N>) => Promise<KioskResult<ShellResponse<N>>>)(req));
}

async function call<T>(fn: () => Promise<KioskResult<T>>): Promise<KioskResult<T>> {
  try {
    return await fn();
  } catch (e) {
    return { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
  }
}
