import type { BrowserWindow, Event } from 'electron';
import { diffCovers, planCovers } from '../policy/covers.ts';
import { coverWebPreferences } from '../policy/web-preferences.ts';
import type { LockdownModule } from './types.ts';

/**
 * A black, unfocusable, always-on-top window over every display but the exam window's, kept in
 * step as displays are plugged in, unplugged or rearranged. (The agent also reports the display
 * count to staff.)
 */
export const displayCovers: LockdownModule = {
  name: 'displayCovers',
  install({ electron: { BrowserWindow: Window, screen }, examWindow, quitGate, log }) {
    const covers = new Map<number, BrowserWindow>();
    const current = new Map<number, { x: number; y: number; width: number; height: number }>();
    const refuseClose = (e: Event) => {
      if (!quitGate.isOpen) e.preventDefault();
    };

    const open = (id: number, b: { x: number; y: number; width: number; height: number }) => {
      const w = new Window({
        ...b,
        show: false,
        frame: false,
        focusable: false,
        skipTaskbar: true,
        movable: false,
        resizable: false,
        minimizable: false,
        closable: false,
        fullscreen: true,
        backgroundColor: '#000000',
        title: 'Invigil Kiosk',
        webPreferences: coverWebPreferences(),
      });
      w.setAlwaysOnTop(true, 'screen-saver');
      w.setContentProtection(true);
      w.on('close', refuseClose);
      w.showInactive();
      covers.set(id, w);
    };

    const sync = () => {
      if (examWindow.isDestroyed()) return;
      const examDisplay = screen.getDisplayMatching(examWindow.getBounds()).id;
      const plan = planCovers(screen.getAllDisplays(), examDisplay);
      const { open: add, move, close } = diffCovers(current, plan);
      for (const id of close) {
        const w = covers.get(id);
        covers.delete(id);
        current.delete(id);
        if (w && !w.isDestroyed()) w.destroy();
      }
      for (const id of move) {
        const b = plan.get(id)!;
        covers.get(id)?.setBounds(b);
        current.set(id, b);
      }
      for (const id of add) {
        const b = plan.get(id)!;
        open(id, b);
        current.set(id, b);
      }
      if (add.length + close.length > 0) log.info('display covers updated', { displays: plan.size + 1, covers: covers.size });
    };

    sync();
    screen.on('display-added', sync);
    screen.on('display-removed', sync);
    screen.on('display-metrics-changed', sync);
    return () => {
      screen.removeListener('display-added', sync);
      screen.removeListener('display-removed', sync);
      screen.removeListener('display-metrics-changed', sync);
      for (const w of covers.values()) if (!w.isDestroyed()) w.destroy();
      covers.clear();
      current.clear();
    };
  },
};
