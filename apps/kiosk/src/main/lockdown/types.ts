import type { BrowserWindow } from 'electron';
import type { QuitGate } from '../policy/quit-gate.ts';
import type { ShellLogger } from '../logger.ts';

/** The Electron APIs the lockdown modules use, passed in (so tests can hand in a named fake). */
export type ElectronApis = Pick<
  typeof import('electron'),
  'app' | 'BrowserWindow' | 'Menu' | 'clipboard' | 'powerMonitor' | 'powerSaveBlocker' | 'screen' | 'session'
>;

export interface LockdownContext {
  electron: ElectronApis;
  /** The one window the candidate uses; created hidden before the modules are installed. */
  examWindow: BrowserWindow;
  platform: NodeJS.Platform;
  quitGate: QuitGate;
  /** true only in an unpackaged development run started with INVIGIL_KIOSK_DEVTOOLS=1. */
  devToolsAllowed: boolean;
  log: ShellLogger;
  /** Tells staff (through the agent's next heartbeats, throttled) what the shell blocked. */
  integrity: IntegrityReporter;
}

/** What lockdown modules report; main attaches the agent once it exists (the modules come first). */
export interface IntegrityReporter {
  blocked(type: 'shortcut_blocked' | 'clipboard_blocked', what: string): void;
}

/** Undoes what `install` did (listeners removed, windows closed, blockers stopped). */
export type Dispose = () => void;

/** One lockdown rule: a name (for logs and tests) and what it sets up. */
export interface LockdownModule {
  readonly name: string;
  install(ctx: LockdownContext): Dispose;
}

/** Thrown by `singleInstance` when another kiosk already runs: startup stops, this one exits. */
export class AnotherInstanceRunning extends Error {
  constructor() {
    super('another Invigil Kiosk is already running on this computer');
    this.name = 'AnotherInstanceRunning';
  }
}
