import type { WebContents } from 'electron';
import type { Dispose, LockdownContext } from './types.ts';

/**
 * Runs `guard` on the exam window's webContents and on every webContents created later (cover
 * windows, and anything that slips past the new-window guard). Each guard returns its own
 * dispose; disposing this undoes them all and stops watching.
 */
export function forEachWebContents(ctx: LockdownContext, guard: (wc: WebContents) => Dispose): Dispose {
  const disposers: Dispose[] = [];
  const apply = (wc: WebContents) => {
    if (!wc.isDestroyed()) disposers.push(guard(wc));
  };
  apply(ctx.examWindow.webContents);
  const onCreated = (_e: unknown, wc: WebContents) => apply(wc);
  ctx.electron.app.on('web-contents-created', onCreated);
  return () => {
    ctx.electron.app.removeListener('web-contents-created', onCreated);
    for (const d of disposers.splice(0)) {
      try {
        d();
      } catch {
        // a webContents destroyed in between: nothing left to undo
      }
    }
  };
}
