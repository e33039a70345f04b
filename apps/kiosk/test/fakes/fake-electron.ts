/**
 * FAKE Electron for unit tests of the lockdown modules and the agent bridge.
 *
 * The real Electron runtime cannot exist on this machine (its binary is never downloaded:
 * ELECTRON_SKIP_BINARY_DOWNLOAD / pnpm ignoredBuiltDependencies), so these are small stand-ins
 * with just the methods and events the modules use, recording what was done to them. They check
 * our wiring (which listener, which call, which order) — not Electron's behaviour; that is what
 * test/electron/*.test.ts checks against a real Electron when one is available.
 */
import { EventEmitter } from 'node:events';
import type { ElectronApis, LockdownContext } from '../../src/main/lockdown/types.ts';
import type { ShellLogger } from '../../src/main/logger.ts';
import { QuitAttemptLimiter } from '../../src/main/policy/quit-code.ts';
import { QuitGate } from '../../src/main/policy/quit-gate.ts';

/** An Electron-style event: listeners may call preventDefault(). */
export function fakeEvent<T extends object>(extra: T = {} as T): T & { defaultPrevented: boolean; preventDefault(): void } {
  const e = { ...extra, defaultPrevented: false, preventDefault() { e.defaultPrevented = true; } };
  return e;
}

let nextId = 1;

export class FakeSession extends EventEmitter {
  handlers: Record<string, unknown> = {};
  webRequest = {
    onBeforeRequest: (...args: unknown[]) => {
      this.handlers.onBeforeRequest = args.length === 2 ? args[1] : args[0];
    },
    onHeadersReceived: (...args: unknown[]) => {
      this.handlers.onHeadersReceived = args.length === 2 ? args[1] : args[0];
    },
  };
  setPermissionRequestHandler(h: unknown) { this.handlers.permissionRequest = h; }
  setPermissionCheckHandler(h: unknown) { this.handlers.permissionCheck = h; }
  setDevicePermissionHandler(h: unknown) { this.handlers.devicePermission = h; }
  setDisplayMediaRequestHandler(h: unknown) { this.handlers.displayMedia = h; }
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  destroyed = false;
  devToolsOpened = false;
  zoomFactor = 1;
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  sent: { channel: string; payload: unknown }[] = [];
  mainFrame = { processId: 1, routingId: this.id, url: 'app://kiosk/index.html' };
  constructor(readonly session: FakeSession) {
    super();
  }
  isDestroyed() { return this.destroyed; }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) { this.windowOpenHandler = h; }
  openDevTools() { this.devToolsOpened = true; this.emit('devtools-opened'); }
  closeDevTools() { this.devToolsOpened = false; }
  isDevToolsOpened() { return this.devToolsOpened; }
  setZoomFactor(f: number) { this.zoomFactor = f; }
  setVisualZoomLevelLimits() { return Promise.resolve(); }
  reload() {}
  send(channel: string, payload: unknown) { this.sent.push({ channel, payload }); }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static session = new FakeSession();
  readonly webContents: FakeWebContents;
  destroyed = false;
  kiosk = false;
  fullScreen = false;
  alwaysOnTop = false;
  focused = false;
  contentProtection = false;
  bounds = { x: 0, y: 0, width: 1920, height: 1080 };
  calls: string[] = [];
  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    this.webContents = new FakeWebContents(FakeBrowserWindow.session);
    if (typeof options.x === 'number') this.bounds = { x: options.x, y: options.y as number, width: options.width as number, height: options.height as number };
    FakeBrowserWindow.all.push(this);
    fakeApp.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  url = '';
  isDestroyed() { return this.destroyed; }
  destroy() { this.destroyed = true; this.webContents.destroyed = true; this.emit('closed'); }
  loadURL(url: string) {
    this.url = url;
    this.webContents.mainFrame.url = url;
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  setKiosk(v: boolean) { this.kiosk = v; }
  isKiosk() { return this.kiosk; }
  setFullScreen(v: boolean) { this.fullScreen = v; }
  isFullScreen() { return this.fullScreen; }
  setAlwaysOnTop(v: boolean) { this.alwaysOnTop = v; }
  isAlwaysOnTop() { return this.alwaysOnTop; }
  setContentProtection(v: boolean) { this.contentProtection = v; }
  isFocused() { return this.focused; }
  focus() { this.focused = true; this.calls.push('focus'); }
  show() { this.calls.push('show'); }
  showInactive() { this.calls.push('showInactive'); }
  moveTop() { this.calls.push('moveTop'); }
  restore() { this.calls.push('restore'); }
  isMinimized() { return false; }
  getBounds() { return this.bounds; }
  setBounds(b: { x: number; y: number; width: number; height: number }) { this.bounds = b; }
  removeMenu() {}
  setMenuBarVisibility() {}
  setMinimizable() {}
  setMaximizable() {}
  setResizable() {}
  setMovable() {}
  setClosable() {}
  setVisibleOnAllWorkspaces() {}
}

class FakeApp extends EventEmitter {
  singleInstanceLock = true;
  quitCalls = 0;
  exitCode: number | null = null;
  isPackaged = false;
  sandboxEnabled = false;
  paths: Record<string, string> = {};
  /** What was called, in order (startup order checks). */
  calls: string[] = [];
  requestSingleInstanceLock() { return this.singleInstanceLock; }
  quit() { this.quitCalls += 1; this.calls.push('quit'); }
  exit(code = 0) { this.exitCode = code; this.calls.push(`exit(${code})`); }
  enableSandbox() { this.sandboxEnabled = true; this.calls.push('enableSandbox'); }
  whenReady() { this.calls.push('whenReady'); return Promise.resolve(); }
  getVersion() { return '0.0.0-fake'; }
  setPath(name: string, p: string) { this.paths[name] = p; }
  getPath(name: string) {
    const p = this.paths[name];
    if (!p) throw new Error(`fake app: no path ${name}`);
    return p;
  }
  setAppLogsPath() { this.paths.logs ??= `${this.getPath('userData')}/logs`; }
}
export const fakeApp = new FakeApp();

export interface FakeDisplay { id: number; bounds: { x: number; y: number; width: number; height: number } }
class FakeScreen extends EventEmitter {
  displays: FakeDisplay[] = [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }];
  getAllDisplays() { return this.displays; }
  getDisplayMatching(r: { x: number; y: number }) {
    return this.displays.find((d) => r.x >= d.bounds.x && r.x < d.bounds.x + d.bounds.width && r.y >= d.bounds.y && r.y < d.bounds.y + d.bounds.height) ?? this.displays[0]!;
  }
}

export interface FakeElectron {
  app: FakeApp;
  screen: FakeScreen;
  session: { defaultSession: FakeSession };
  powerSaveBlocker: { started: Set<number>; start(type: string): number; stop(id: number): void; isStarted(id: number): boolean; types: string[] };
  powerMonitor: EventEmitter;
  clipboard: { clears: number; clear(): void };
  Menu: { applicationMenu: unknown; setApplicationMenu(m: unknown): void };
  BrowserWindow: typeof FakeBrowserWindow;
}

/** A fresh fake Electron (the app object is shared, its listeners are cleared). */
export function fakeElectron(): FakeElectron {
  fakeApp.removeAllListeners();
  fakeApp.singleInstanceLock = true;
  fakeApp.quitCalls = 0;
  FakeBrowserWindow.all = [];
  FakeBrowserWindow.session = new FakeSession();
  let next = 1;
  const started = new Set<number>();
  const types: string[] = [];
  const clipboard = { clears: 0, clear() { clipboard.clears += 1; } };
  return {
    app: fakeApp,
    screen: new FakeScreen(),
    session: { defaultSession: FakeBrowserWindow.session },
    powerSaveBlocker: {
      started,
      types,
      start(type: string) { types.push(type); const id = next++; started.add(id); return id; },
      stop(id: number) { started.delete(id); },
      isStarted(id: number) { return started.has(id); },
    },
    powerMonitor: new EventEmitter(),
    clipboard,
    Menu: { applicationMenu: 'default', setApplicationMenu(m: unknown) { this.applicationMenu = m; } },
    BrowserWindow: FakeBrowserWindow,
  };
}

export const memoryLog = () => {
  const lines: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => void lines.push({ level, msg, data });
  const log: ShellLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
};

/** A lockdown context on the fake: an exam window, a closed quit gate (no code configured). */
export function fakeContext(over: Partial<{ platform: NodeJS.Platform; devToolsAllowed: boolean; quitGate: QuitGate }> = {}) {
  const electron = fakeElectron();
  const examWindow = new FakeBrowserWindow({ kiosk: true });
  const { log, lines } = memoryLog();
  /** What the modules reported to staff through ctx.integrity. */
  const reported: [string, string][] = [];
  const ctx = {
    electron: electron as unknown as ElectronApis,
    examWindow: examWindow as unknown as LockdownContext['examWindow'],
    platform: over.platform ?? 'linux',
    quitGate: over.quitGate ?? new QuitGate(null, new QuitAttemptLimiter(), Date.now),
    devToolsAllowed: over.devToolsAllowed ?? false,
    log,
    integrity: { blocked: (type: 'shortcut_blocked' | 'clipboard_blocked', what: string) => void reported.push([type, what]) },
  } satisfies LockdownContext;
  return { ctx, electron, examWindow, lines, reported };
}
