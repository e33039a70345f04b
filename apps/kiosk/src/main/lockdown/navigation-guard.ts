import type { Event } from 'electron';
import { isAllowedNavigation } from '../policy/navigation.ts';
import { forEachWebContents } from './each-web-contents.ts';
import type { LockdownModule } from './types.ts';

/** Every webContents stays on the app's own origin: navigations and redirects elsewhere are cancelled; no <webview>. */
export const navigationGuard: LockdownModule = {
  name: 'navigationGuard',
  install(ctx) {
    return forEachWebContents(ctx, (wc) => {
      const guard = (e: Event<{ url: string }>) => {
        if (isAllowedNavigation(e.url)) return;
        e.preventDefault();
        ctx.log.warn('navigation blocked', { url: e.url.slice(0, 200) });
      };
      const noWebview = (e: Event) => e.preventDefault();
      wc.on('will-navigate', guard);
      wc.on('will-frame-navigate', guard);
      wc.on('will-redirect', guard);
      wc.on('will-attach-webview', noWebview);
      return () => {
        wc.removeListener('will-navigate', guard);
        wc.removeListener('will-frame-navigate', guard);
        wc.removeListener('will-redirect', guard);
        wc.removeListener('will-attach-webview', noWebview);
      };
    });
  },
};
