import { AnotherInstanceRunning, type LockdownModule } from './types.ts';

/**
 * One kiosk per computer (two would race on the agent's outbox and device key). A second start
 * brings the running kiosk's window to the front and exits; installing this module throws
 * AnotherInstanceRunning so the second start goes no further.
 */
export const singleInstance: LockdownModule = {
  name: 'singleInstance',
  install({ electron: { app }, examWindow, quitGate }) {
    if (!app.requestSingleInstanceLock()) {
      quitGate.open('second-instance');
      throw new AnotherInstanceRunning();
    }
    const onSecond = () => {
      if (examWindow.isDestroyed()) return;
      if (examWindow.isMinimized()) examWindow.restore();
      examWindow.show();
      examWindow.focus();
    };
    app.on('second-instance', onSecond);
    return () => app.removeListener('second-instance', onSecond);
  },
};
