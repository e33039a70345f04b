/**
 * What the agent needs from the platform, as small interfaces. The Electron app passes in
 * implementations backed by `safeStorage`, `screen` and friends; tests and plain Node pass
 * file-backed or fake ones. The agent itself never imports electron.
 */

/** Seals secrets at rest (Electron: `safeStorage.encryptString`; tests: a key file). */
export interface SecretStore {
  seal(plain: Buffer): Buffer;
  unseal(sealed: Buffer): Buffer;
}

export interface ProcessInfo {
  /** Executable name as the OS reports it (`AnyDesk.exe`, `teamviewer`, ...). */
  name: string;
  pid?: number;
}

/** One hint that this machine is virtual. `weight` in (0, 1]: how strongly it alone suggests a VM. */
export interface VmSignal {
  name: string;
  weight: number;
  detail?: string;
}

/** Hardware facts that go into the device fingerprint (hashed, never sent raw). */
export interface HardwareFacts {
  platform: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  /** total memory rounded to whole GiB so it is stable */
  memoryGiB: number;
}

/** What the environment checks and the identity read from the machine. */
export interface PlatformProbe {
  /** How many displays are attached; null when this platform cannot tell (plain Node). */
  displayCount(): Promise<number | null> | number | null;
  processes(): Promise<ProcessInfo[]> | ProcessInfo[];
  vmSignals(): Promise<VmSignal[]> | VmSignal[];
  /** The OS machine id (node-machine-id). Rejects when there is none (some containers). */
  machineId(): Promise<string>;
  hardware(): HardwareFacts;
  /** A short description of this client, sent as `browserInfo` at start. */
  clientInfo?(): string;
}

export interface AgentLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export const silentLogger: AgentLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/**
 * The staff code check the kiosk shell owns (main's quit gate: the same scrypt hash and the same
 * rate limit as quitting). The agent asks it before a staff-only call (changing the server).
 */
export type StaffCodeCheck = { ok: true } | { ok: false; reason: 'wrong-code' } | { ok: false; reason: 'rate-limited'; retryAfterMs: number } | { ok: false; reason: 'not-configured' };
export type StaffCodeChecker = (code: string) => Promise<StaffCodeCheck>;
