import { forEachWebContents } from './each-web-contents.ts';
import type { LockdownModule } from './types.ts';

/** window.open, target=_blank and friends open nothing. */
export const newWindowGuard: LockdownModule = {
  name: 'newWindowGuard',
  install(ctx) {
    return forEachWebContents(ctx, (wc) => {
      wc.setWindowOpenHandler(({ url }) => {
        ctx.log.warn('new window refused', { url: url.slice(0, 200) });
        return { action: 'deny' };
      });
      return () => {
        if (!wc.isDestroyed()) wc.setWindowOpenHandler(() => ({ action: 'deny' }));
      };
    });
  },
};
