import { KioskErrorCode, KioskPush, type KioskEvent, type KioskResult, type KioskState, type OfflineAction } from '@invigil/contract';
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { createIpcRouter, ipcChannels, ShellCallError } from './ipc-router.ts';
import type { ShellLogger } from './logger.ts';
import type { QuitGate, QuitReason } from './policy/quit-gate.ts';
import { isTrustedSender, type IpcSenderInfo } from './policy/sender.ts';

/** The agent as the window needs it (a subset of @invigil/agent's Agent). */
export interface BridgedAgent {
  subscribe(fn: (s: KioskState) => void): () => void;
  onEvent(fn: (e: KioskEvent) => void): () => void;
  reportFocus(focused: boolean): void;
  /** Offline staff codes: resolves when the proctor's answer to this kiosk's challenge is right. */
  checkOfflineCode?(action: OfflineAction, code: string): Promise<void>;
  /** Writes the attempt, encrypted to the server, to `path` (README "Offline submission"). */
  exportOfflineBundle?(path: string, o: { submit: boolean }): Promise<{ path: string; answers: number }>;
  state?(): KioskState;
}

export interface AgentBridgeDeps {
  agent: BridgedAgent;
  /** createKioskIpcHandler(agent) */
  agentCall: (name: string, payload: unknown) => Promise<KioskResult<unknown>>;
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  window: BrowserWindow;
  quitGate: QuitGate;
  /** Closes the agent and quits the app (main.ts). */
  quit: (reason: QuitReason) => void;
  log: ShellLogger;
  /** After a staff "quit" instruction, wait this long so the next heartbeat acknowledges it. Default 12 s. */
  staffQuitDelayMs?: number;
  /** Asks staff where to save the offline bundle (Electron's save dialog); null when they cancel. */
  saveDialog?: (defaultName: string) => Promise<string | null>;
}

/** An agent refusal (AgentError: code + message) as a shell refusal; anything else stays INTERNAL. */
function asShellError(e: unknown): unknown {
  const code = (e as { code?: unknown })?.code;
  if (e instanceof Error && KioskErrorCode.safeParse(code).success) return new ShellCallError(code as KioskErrorCode, e.message);
  return e;
}

/** Who sent an IPC call, in the terms policy/sender.ts checks. */
export function senderInfo(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): IpcSenderInfo {
  const frame = event.senderFrame;
  const main = event.sender.mainFrame;
  return {
    webContentsId: event.sender.id,
    frameUrl: frame?.url ?? null,
    isMainFrame: !!frame && !!main && frame.processId === main.processId && frame.routingId === main.routingId,
  };
}

/**
 * Connects the agent to the exam window: every contract call on ipcMain (through the router:
 * sender check, validation, envelope), state and events pushed to the page, focus changes
 * reported to the agent (integrity events for staff), and the staff quit paths.
 * Returns a dispose that undoes all of it.
 */
export function bridgeAgentToWindow(d: AgentBridgeDeps): () => void {
  const { agent, window: win, log } = d;
  const router = createIpcRouter({
    agentCall: d.agentCall,
    isTrusted: (s) => isTrustedSender(s, win.isDestroyed() ? null : win.webContents.id),
    shell: {
      requestQuit: async (req: { unlockCode: string }) => {
        const r = await d.quitGate.tryUnlock(req.unlockCode);
        if (r.ok) {
          log.warn('quit unlocked with the staff code');
          setImmediate(() => d.quit('staff-code'));
          return { quitting: true };
        }
        log.warn('quit refused', { reason: r.reason });
        if (r.reason === 'rate-limited') throw new ShellCallError('RATE_LIMITED', `Too many wrong codes. Try again in ${Math.ceil(r.retryAfterMs / 1000)} s.`);
        if (r.reason === 'not-configured') throw new ShellCallError('FORBIDDEN', 'No quit code is configured on this kiosk.');
        throw new ShellCallError('INVALID_CREDENTIALS', 'Wrong unlock code.');
      },
      requestQuitOffline: async (req: { code: string }) => {
        if (!agent.checkOfflineCode) throw new ShellCallError('NOT_CONFIGURED', 'Offline staff codes are not available on this kiosk.');
        try {
          await agent.checkOfflineCode('quit', req.code);
        } catch (e) {
          log.warn('offline quit code refused');
          throw asShellError(e);
        }
        log.warn('quit unlocked with an offline staff code');
        d.quitGate.open('staff-code');
        setImmediate(() => d.quit('staff-code'));
        return { quitting: true };
      },
      saveOfflineBundle: async (req: { submit: boolean }) => {
        if (!agent.exportOfflineBundle || !d.saveDialog) throw new ShellCallError('NOT_CONFIGURED', 'Offline bundles are not available on this kiosk.');
        const who = agent.state?.().candidateId ?? 'exam';
        const path = await d.saveDialog(`${who.replace(/[^A-Za-z0-9_.-]+/g, '_')}-offline.invigil`);
        if (!path) return { saved: false, path: null, answers: 0 };
        try {
          const r = await agent.exportOfflineBundle(path, { submit: req.submit });
          log.warn('offline bundle saved', { answers: r.answers, submit: req.submit });
          return { saved: true, path: r.path, answers: r.answers };
        } catch (e) {
          throw asShellError(e);
        }
      },
    },
  });

  const channels = ipcChannels();
  for (const { name, channel } of channels) {
    d.ipcMain.handle(channel, (event, payload: unknown) => router(name, senderInfo(event), payload));
  }

  const send = (channel: string, payload: unknown) => {
    if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(channel, payload);
  };
  let staffQuit: NodeJS.Timeout | null = null;
  let phase: KioskState['phase'] | null = null;
  const offState = agent.subscribe((s) => {
    phase = s.phase;
    send(KioskPush.state.channel, s);
  });
  const offEvent = agent.onEvent((e) => {
    send(KioskPush.event.channel, e);
    // A transfer's quit leaves the kiosk running: the old desk shows where the exam went, then its closed screen.
    if (e.type === 'instruction' && e.instruction.type === 'quit' && !staffQuit && phase !== 'moved') {
      log.warn('staff asked this kiosk to quit', { instructionId: e.instruction.id });
      d.quitGate.open('staff-instruction');
      staffQuit = setTimeout(() => d.quit('staff-instruction'), d.staffQuitDelayMs ?? 12_000);
    }
  });
  const onBlur = () => agent.reportFocus(false);
  const onFocus = () => agent.reportFocus(true);
  win.on('blur', onBlur);
  win.on('focus', onFocus);

  return () => {
    if (staffQuit) clearTimeout(staffQuit);
    for (const { channel } of channels) d.ipcMain.removeHandler(channel);
    offState();
    offEvent();
    if (!win.isDestroyed()) {
      win.removeListener('blur', onBlur);
      win.removeListener('focus', onFocus);
    }
  };
}
