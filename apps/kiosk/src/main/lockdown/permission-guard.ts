import type { Event } from 'electron';
import type { LockdownModule } from './types.ts';

/**
 * Every permission is refused, asked or merely checked: camera, microphone, screen capture,
 * notifications, geolocation, clipboard-read, HID/USB/serial devices, fullscreen requests from
 * the page... and nothing is downloaded.
 */
export const permissionGuard: LockdownModule = {
  name: 'permissionGuard',
  install({ electron: { session }, examWindow, log }) {
    const sessions = new Set([session.defaultSession, examWindow.webContents.session]);
    const onDownload = (e: Event) => {
      e.preventDefault();
      log.warn('download refused');
    };
    for (const s of sessions) {
      s.setPermissionRequestHandler((_wc, permission, callback) => {
        log.warn('permission refused', { permission });
        callback(false);
      });
      s.setPermissionCheckHandler(() => false);
      s.setDevicePermissionHandler(() => false);
      s.setDisplayMediaRequestHandler((_req, callback) => callback({}));
      s.on('will-download', onDownload);
    }
    return () => {
      for (const s of sessions) {
        s.setPermissionRequestHandler(null);
        s.setPermissionCheckHandler(null);
        s.setDevicePermissionHandler(null);
        s.setDisplayMediaRequestHandler(null);
        s.removeListener('will-download', onDownload);
      }
    };
  },
};
