import { CrashReloadPolicy } from '../policy/crash-reload.ts';
import type { LockdownModule } from './types.ts';

const REFOCUS_DELAY_MS = 200;

/**
 * The exam window stays kiosk, fullscreen, on top of everything, unminimized, without a menu, at
 * 100 % zoom; when it loses focus it takes it back (and main reports the loss to staff).
 */
export const kioskWindow: LockdownModule = {
  name: 'kioskWindow',
  install({ electron: { Menu }, examWindow: win, platform, log }) {
    Menu.setApplicationMenu(null);
    win.removeMenu();
    win.setMenuBarVisibility(false);
    win.setKiosk(true);
    win.setFullScreen(true);
    win.setAlwaysOnTop(true, 'screen-saver');
    win.setMinimizable(false);
    win.setMaximizable(false);
    win.setResizable(false);
    win.setMovable(false);
    win.setClosable(false);
    if (platform === 'darwin') win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });

    const wc = win.webContents;
    const lockZoom = () => {
      if (wc.isDestroyed()) return;
      wc.setZoomFactor(1);
      void wc.setVisualZoomLevelLimits(1, 1).catch(() => {});
    };
    lockZoom();

    const reassert = () => {
      if (win.isDestroyed()) return;
      if (!win.isKiosk()) win.setKiosk(true);
      if (!win.isFullScreen()) win.setFullScreen(true);
      if (!win.isAlwaysOnTop()) win.setAlwaysOnTop(true, 'screen-saver');
    };
    const onMinimize = () => {
      if (!win.isDestroyed()) win.restore();
      reassert();
    };
    let refocus: NodeJS.Timeout | null = null;
    const onBlur = () => {
      if (refocus) clearTimeout(refocus);
      refocus = setTimeout(() => {
        refocus = null;
        if (win.isDestroyed() || win.isFocused()) return;
        reassert();
        win.show();
        win.moveTop();
        win.focus();
      }, REFOCUS_DELAY_MS);
    };
    // A crashed page is reloaded, waiting longer while it keeps crashing (policy/crash-reload.ts).
    const crashes = new CrashReloadPolicy();
    let reloadTimer: NodeJS.Timeout | null = null;
    const onGone = (_e: unknown, details: { reason: string }) => {
      const delay = crashes.onCrash(Date.now());
      log.error('renderer process gone; reloading the app', { reason: details.reason, inMs: delay });
      if (reloadTimer) clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => {
        reloadTimer = null;
        if (!win.isDestroyed()) void win.webContents.reload();
      }, delay);
    };

    win.on('leave-full-screen', reassert);
    win.on('minimize', onMinimize);
    win.on('blur', onBlur);
    wc.on('zoom-changed', lockZoom);
    wc.on('did-finish-load', lockZoom);
    wc.on('render-process-gone', onGone);
    return () => {
      if (refocus) clearTimeout(refocus);
      if (reloadTimer) clearTimeout(reloadTimer);
      if (win.isDestroyed()) return;
      win.removeListener('leave-full-screen', reassert);
      win.removeListener('minimize', onMinimize);
      win.removeListener('blur', onBlur);
      wc.removeListener('zoom-changed', lockZoom);
      wc.removeListener('did-finish-load', lockZoom);
      wc.removeListener('render-process-gone', onGone);
    };
  },
};
