import { isAllowedRequest } from '../policy/navigation.ts';
import type { LockdownModule } from './types.ts';

/** The renderer's session loads only the app's own files: every other request is cancelled. */
export const requestFilter: LockdownModule = {
  name: 'requestFilter',
  install({ electron: { session }, examWindow, devToolsAllowed, log }) {
    const sessions = new Set([session.defaultSession, examWindow.webContents.session]);
    for (const s of sessions) {
      s.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
        const allowed = isAllowedRequest(details.url, devToolsAllowed);
        if (!allowed) log.warn('request blocked', { url: details.url.slice(0, 200), resourceType: details.resourceType });
        callback({ cancel: !allowed });
      });
    }
    return () => {
      for (const s of sessions) s.webRequest.onBeforeRequest(null);
    };
  },
};
