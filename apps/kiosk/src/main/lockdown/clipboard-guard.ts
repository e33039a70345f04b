import type { LockdownModule } from './types.ts';

/**
 * Nothing copied outside the kiosk can be pasted in: the clipboard is cleared when the kiosk
 * starts, whenever its window regains focus, and when it quits. Copy and paste between the
 * candidate's own answers still work.
 */
export const clipboardGuard: LockdownModule = {
  name: 'clipboardGuard',
  install({ electron: { clipboard }, examWindow }) {
    const clear = () => clipboard.clear();
    clear();
    examWindow.on('focus', clear);
    return () => {
      if (!examWindow.isDestroyed()) examWindow.removeListener('focus', clear);
      clear();
    };
  },
};
