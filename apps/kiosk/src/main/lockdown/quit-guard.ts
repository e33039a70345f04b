import type { Event } from 'electron';
import type { LockdownModule } from './types.ts';

/**
 * Nothing quits the kiosk or closes its window while the quit gate is closed: not Alt+F4, not the
 * window manager, not `app.quit()` from some other path. The gate opens for the staff quit code,
 * a staff "quit" instruction, or the OS shutting down / logging off (never hold that up).
 */
export const quitGuard: LockdownModule = {
  name: 'quitGuard',
  install({ electron: { app, powerMonitor }, examWindow, quitGate, log }) {
    const refuse = (what: string) => (e: Event) => {
      if (quitGate.isOpen) return;
      e.preventDefault();
      log.warn('quit refused: the quit gate is closed', { what });
    };
    const onBeforeQuit = refuse('before-quit');
    const onClose = refuse('window close');
    // With a listener here Electron does not quit on its own when windows close.
    const onAllClosed = () => {
      if (quitGate.isOpen) app.quit();
    };
    const onShutdown = () => quitGate.open('os-shutdown');

    app.on('before-quit', onBeforeQuit);
    app.on('window-all-closed', onAllClosed);
    examWindow.on('close', onClose);
    examWindow.on('session-end', onShutdown); // Windows: log off / shut down
    powerMonitor.on('shutdown', onShutdown); // Linux, macOS
    return () => {
      app.removeListener('before-quit', onBeforeQuit);
      app.removeListener('window-all-closed', onAllClosed);
      if (!examWindow.isDestroyed()) {
        examWindow.removeListener('close', onClose);
        examWindow.removeListener('session-end', onShutdown);
      }
      powerMonitor.removeListener('shutdown', onShutdown);
    };
  },
};
