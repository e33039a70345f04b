import { clipboardGuard } from './clipboard-guard.ts';
import { contentProtection } from './content-protection.ts';
import { cspHeaders } from './csp-headers.ts';
import { devtoolsBlock } from './devtools-block.ts';
import { displayCovers } from './display-covers.ts';
import { kioskWindow } from './kiosk-window.ts';
import { navigationGuard } from './navigation-guard.ts';
import { newWindowGuard } from './new-window-guard.ts';
import { permissionGuard } from './permission-guard.ts';
import { quitGuard } from './quit-guard.ts';
import { requestFilter } from './request-filter.ts';
import { shortcutFilter } from './shortcut-filter.ts';
import { singleInstance } from './single-instance.ts';
import { sleepBlocker } from './sleep-blocker.ts';
import type { LockdownModule } from './types.ts';

/**
 * Every lockdown rule of the kiosk, installed in this order before the exam page loads
 * (DESIGN.md "kiosk/main"). singleInstance comes first (a second kiosk stops before it touches
 * anything), quitGuard next (nothing can quit while the rest is set up).
 */
export const LOCKDOWN_MODULES: readonly LockdownModule[] = Object.freeze([
  singleInstance,
  quitGuard,
  kioskWindow,
  displayCovers,
  contentProtection,
  shortcutFilter,
  navigationGuard,
  newWindowGuard,
  permissionGuard,
  requestFilter,
  cspHeaders,
  devtoolsBlock,
  clipboardGuard,
  sleepBlocker,
]);

export { installLockdown } from './install.ts';
export { AnotherInstanceRunning, type Dispose, type ElectronApis, type LockdownContext, type LockdownModule } from './types.ts';
