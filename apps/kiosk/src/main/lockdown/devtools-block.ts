import { forEachWebContents } from './each-web-contents.ts';
import type { LockdownModule } from './types.ts';

/**
 * No developer tools: the windows are created with `devTools: false` (release), and should they
 * open anyway they are closed at once. Only an unpackaged run with INVIGIL_KIOSK_DEVTOOLS=1 keeps them.
 */
export const devtoolsBlock: LockdownModule = {
  name: 'devtoolsBlock',
  install(ctx) {
    if (ctx.devToolsAllowed) {
      ctx.log.warn('developer tools are ALLOWED (unpackaged run with INVIGIL_KIOSK_DEVTOOLS=1)');
      return () => {};
    }
    return forEachWebContents(ctx, (wc) => {
      const close = () => {
        ctx.log.warn('developer tools opened; closing them');
        wc.closeDevTools();
      };
      wc.on('devtools-opened', close);
      if (wc.isDevToolsOpened()) close();
      return () => wc.removeListener('devtools-opened', close);
    });
  },
};
