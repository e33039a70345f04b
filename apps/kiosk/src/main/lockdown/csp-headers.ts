import { withSecurityHeaders } from '../policy/csp.ts';
import type { LockdownModule } from './types.ts';

/**
 * The strict Content-Security-Policy (policy/csp.ts) on every response the renderer receives.
 * The app:// handler sends it itself; this covers anything else that reaches the session.
 */
export const cspHeaders: LockdownModule = {
  name: 'cspHeaders',
  install({ electron: { session }, examWindow }) {
    const sessions = new Set([session.defaultSession, examWindow.webContents.session]);
    for (const s of sessions) {
      s.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withSecurityHeaders(details.responseHeaders) }));
    }
    return () => {
      for (const s of sessions) s.webRequest.onHeadersReceived(null);
    };
  },
};
