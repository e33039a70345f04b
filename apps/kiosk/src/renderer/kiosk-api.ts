import type { KioskCallName, KioskEvent, KioskRequest, KioskResponse, KioskResult, KioskState } from '@invigil/contract';

/**
 * What the preload (Electron) or the preview bridge puts on `window.kiosk`: one async function per
 * entry of the contract's `KioskIpc` (so a call added there appears here), each resolving to the
 * result envelope and never rejecting, plus the two push subscriptions. Derived from the contract
 * only: the renderer imports types, never the preload or the agent.
 */
export type KioskBridge = {
  [N in KioskCallName]: (req: KioskRequest<N>) => Promise<KioskResult<KioskResponse<N>>>;
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
  try {
    const fn = k[name] as (r: KioskRequest<N>) => Promise<KioskResult<KioskResponse<N>>>;
    return await fn(req);
  } catch (e) {
    return { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
  }
}
