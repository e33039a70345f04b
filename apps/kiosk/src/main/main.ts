/**
 * Electron main: the agent (@invigil/agent) + one locked-down window. Wiring only; the rules
 * live in lockdown/ (one module per rule, listed in lockdown/index.ts) and policy/ (pure).
 *
 * Start order: privileged app:// scheme → (ready) provisioned config → hidden exam window →
 * lockdown modules (single instance first) → agent → IPC bridge → load app://kiosk/index.html → show.
 */
import { createAgent, createKioskIpcHandler, FileSecretStore, nodePlatformProbe, type Agent, type SecretStore } from '@invigil/agent';
import * as electron from 'electron';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { bridgeAgentToWindow } from './agent-bridge.ts';
import { AnotherInstanceRunning, installLockdown, LOCKDOWN_MODULES, type Dispose } from './lockdown/index.ts';
import { LateIntegrityReporter } from './lockdown/integrity-reporter.ts';
import { consoleLogger, type LineSink } from './logger.ts';
import { createAppRequestHandler } from './policy/app-files.ts';
import { APP_ENTRY_URL, APP_SCHEME } from './policy/navigation.ts';
import { QuitAttemptLimiter } from './policy/quit-code.ts';
import { QuitGate, type QuitReason } from './policy/quit-gate.ts';
import { QUIT_EXIT_CODE } from './policy/exit-codes.ts';
import { loadShellConfig, shellConfigPath } from './policy/shell-config.ts';
import { examWindowOptions } from './policy/web-preferences.ts';
import { safeStorageSecretStore } from './secret-store.ts';

const { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, screen } = electron;

/** Development/test-only switches, ignored by a packaged (release) kiosk. */
const dev = !app.isPackaged;
if (dev && process.env.INVIGIL_KIOSK_USER_DATA) app.setPath('userData', process.env.INVIGIL_KIOSK_USER_DATA);

/** JSON lines on the console and in <logs>/kiosk-main.log (a packaged kiosk has no visible console). */
function logFile(): LineSink | undefined {
  try {
    app.setAppLogsPath(); // the OS default (~/Library/Logs/<app>, <userData>/logs)
    const dir = app.getPath('logs');
    mkdirSync(dir, { recursive: true });
    return createWriteStream(path.join(dir, 'kiosk-main.log'), { flags: 'a' });
  } catch {
    return undefined;
  }
}
const log = consoleLogger(process.env.INVIGIL_LOG_LEVEL, logFile());
process.on('unhandledRejection', (e) => log.error('unhandled rejection', { error: (e as Error)?.stack ?? String(e) }));

// Must happen before `ready`: app:// is a standard, secure origin of its own (not file://).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

function fatal(title: string, message: string): void {
  log.error(title, { message });
  try {
    dialog.showErrorBox(title, message);
  } catch {
    // no display: the log line is all we can do
  }
  app.exit(1);
}

function secretStore(): SecretStore {
  if (safeStorage.isEncryptionAvailable()) {
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      log.warn('no OS keyring (libsecret/kwallet): safeStorage falls back to a fixed key; install a keyring on Linux kiosks');
    }
    return safeStorageSecretStore(safeStorage);
  }
  if (!dev) throw new Error('the OS secret store (safeStorage) is not available; the kiosk cannot keep its device key safely');
  log.warn('safeStorage unavailable: using a key file (development run only)');
  return new FileSecretStore(path.join(app.getPath('userData'), 'dev-secret.key'));
}

async function start(): Promise<void> {
  const configPath = shellConfigPath({ isPackaged: app.isPackaged, platform: process.platform, env: process.env });
  const loaded = loadShellConfig(configPath);
  if (!loaded.ok) {
    fatal('Invigil Kiosk is not set up', `${loaded.problem}\n\nAn administrator must provision this computer (see the kiosk README: "Provisioning").`);
    return;
  }
  const config = loaded.config;
  const devToolsAllowed = dev && process.env.INVIGIL_KIOSK_DEVTOOLS === '1';
  const quitGate = new QuitGate(config.quitCodeHash, new QuitAttemptLimiter(), Date.now);
  const integrity = new LateIntegrityReporter();

  protocol.handle(APP_SCHEME, createAppRequestHandler(path.join(__dirname, '..', 'renderer')));

  const win = new BrowserWindow(examWindowOptions({ preloadPath: path.join(__dirname, '..', 'preload', 'preload.cjs'), devTools: devToolsAllowed }));

  let disposeLockdown: Dispose;
  try {
    disposeLockdown = installLockdown(LOCKDOWN_MODULES, { electron, examWindow: win, platform: process.platform, quitGate, devToolsAllowed, log, integrity });
  } catch (e) {
    if (e instanceof AnotherInstanceRunning) {
      log.info(e.message);
      app.exit(0);
      return;
    }
    throw e;
  }

  let agent: Agent;
  try {
    agent = await createAgent({
      serverUrl: config.serverUrl,
      ...(config.serverCertSha256 ? { serverCertSha256: config.serverCertSha256 } : {}),
      ...(config.serverPublicKey ? { serverPublicKey: config.serverPublicKey } : {}),
      dataDir: path.join(app.getPath('userData'), 'agent'),
      secretStore: secretStore(),
      platform: {
        ...nodePlatformProbe(),
        displayCount: () => screen.getAllDisplays().length,
        clientInfo: () => `invigil-kiosk/${app.getVersion()} (electron ${process.versions.electron}; ${process.platform}; ${process.arch})`,
      },
      // Changing the exam server needs the staff code: the quit code, with the quit gate's rate limit.
      staffCheck: (code) => quitGate.check(code),
      log,
    });
  } catch (e) {
    quitGate.open('startup-failure');
    disposeLockdown();
    throw e;
  }
  integrity.attach(agent);

  let quitting = false;
  const quit = (reason: QuitReason) => {
    if (quitting) return;
    quitting = true;
    quitGate.open(reason);
    log.warn('kiosk quitting', { reason });
    const closed = agent.close().catch((e: unknown) => log.error('agent close failed', { error: (e as Error).message }));
    const timeout = new Promise((r) => setTimeout(r, 5_000));
    void Promise.race([closed, timeout]).finally(() => {
      disposeBridge();
      disposeLockdown();
      // A distinct status: the OS units (deploy/kiosk) restart the kiosk after any other ending.
      app.exit(QUIT_EXIT_CODE);
    });
  };
  // Offline bundle: staff pick where (a USB stick); the agent writes it. Main only asks.
  const saveDialog = async (defaultName: string): Promise<string | null> => {
    const r = await dialog.showSaveDialog(win, {
      title: 'Save this exam for the exam staff (USB stick)',
      defaultPath: defaultName,
      buttonLabel: 'Save exam here',
      filters: [{ name: 'Invigil offline bundle', extensions: ['invigil'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    return r.canceled || !r.filePath ? null : r.filePath;
  };
  const disposeBridge = bridgeAgentToWindow({ agent, agentCall: createKioskIpcHandler(agent), ipcMain, window: win, quitGate, quit, log, saveDialog });
  // The OS is shutting down (the quit guard opened the gate): close the agent's files cleanly.
  app.on('before-quit', (e) => {
    if (!quitGate.isOpen || quitting) return;
    e.preventDefault();
    quit(quitGate.reason ?? 'os-shutdown');
  });

  win.once('ready-to-show', () => {
    win.show();
    win.focus();
  });
  await win.loadURL(APP_ENTRY_URL);
  log.info('kiosk started', { config: loaded.path, devToolsAllowed, version: app.getVersion() });
}

app.whenReady().then(start).catch((e: unknown) => fatal('Invigil Kiosk could not start', (e as Error)?.stack ?? String(e)));
