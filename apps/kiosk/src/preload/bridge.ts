import {
  KioskIpc,
  KioskPush,
  KioskShellIpc,
  type KioskCallName,
  type KioskEvent,
  type KioskRequest,
  type KioskResponse,
  type KioskResult,
  type KioskShellCallName,
  type KioskState,
} from '@invigil/contract';
import type { z } from 'zod';

type ShellRequest<N extends KioskShellCallName> = z.infer<(typeof KioskShellIpc)[N]['request']>;
type ShellResponse<N extends KioskShellCallName> = z.infer<(typeof KioskShellIpc)[N]['response']>;

/** A call whose request may be empty can be made without an argument: `kiosk.getState()`. */
type Call<Req, Res> = Record<never, never> extends Req ? (req?: Req) => Promise<KioskResult<Res>> : (req: Req) => Promise<KioskResult<Res>>;

/**
 * `window.kiosk`: one function per contract call (KioskIpc and KioskShellIpc), each resolving to
 * the KioskResult envelope (never rejecting), plus listeners for what main pushes.
 */
export type KioskBridge = { readonly [N in KioskCallName]: Call<KioskRequest<N>, KioskResponse<N>> } & {
  readonly [N in KioskShellCallName]: Call<ShellRequest<N>, ShellResponse<N>>;
} & {
  /** Called with every new state; returns the unsubscribe function. */
  readonly onState: (fn: (state: KioskState) => void) => () => void;
  /** Called with every event (banners, dialogs); returns the unsubscribe function. */
  readonly onEvent: (fn: (event: KioskEvent) => void) => () => void;
};

/** How the bridge reaches main: ipcRenderer in the preload, a fake in tests. */
export interface BridgeTransport {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /** Subscribes to a push channel; returns the unsubscribe function. */
  on(channel: string, listener: (payload: unknown) => void): () => void;
}

const isEnvelope = (v: unknown): v is KioskResult<unknown> =>
  typeof v === 'object' && v !== null && ((v as { ok?: unknown }).ok === true || ((v as { ok?: unknown }).ok === false && typeof (v as { error?: unknown }).error === 'object'));

/** The names `window.kiosk` has: every contract call, then the two listeners. */
export function bridgeNames(): string[] {
  return [...Object.keys(KioskIpc), ...Object.keys(KioskShellIpc), 'onState', 'onEvent'];
}

/**
 * Builds `window.kiosk` from the contract: requests are validated with the contract schema before
 * anything is sent (a bad one answers VALIDATION_FAILED without reaching main); a transport
 * failure answers INTERNAL. New calls added to the contract appear here by themselves.
 */
export function createKioskBridge(t: BridgeTransport): KioskBridge {
  const calls: Record<string, unknown> = {};
  const entries = [...Object.entries(KioskIpc), ...Object.entries(KioskShellIpc)] as [string, { channel: string; request: z.ZodType }][];
  for (const [name, call] of entries) {
    calls[name] = async (req?: unknown): Promise<KioskResult<unknown>> => {
      const parsed = call.request.safeParse(req ?? {});
      if (!parsed.success) {
        return { ok: false, error: { code: 'VALIDATION_FAILED', message: parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') } };
      }
      try {
        const res = await t.invoke(call.channel, parsed.data);
        return isEnvelope(res) ? res : { ok: false, error: { code: 'INTERNAL', message: 'unexpected answer from the kiosk' } };
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: 'the kiosk did not answer' } };
      }
    };
  }
  const listener =
    <T>(channel: string) =>
    (fn: (payload: T) => void) => {
      if (typeof fn !== 'function') throw new TypeError('expected a function');
      return t.on(channel, (payload) => fn(payload as T));
    };
  calls.onState = listener<KioskState>(KioskPush.state.channel);
  calls.onEvent = listener<KioskEvent>(KioskPush.event.channel);
  return Object.freeze(calls) as KioskBridge;
}
