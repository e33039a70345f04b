import path from 'node:path';

/**
 * The renderer is served from a privileged custom scheme (`app://kiosk/...`) out of
 * `dist/renderer/` only. No file:// URL is ever loaded, so the app's origin is its own and the
 * navigation guard can compare origins exactly.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** true only for URLs on the app's own origin (the navigation and IPC sender checks). */
export function isAppUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host.toLowerCase() === APP_HOST && !u.username && !u.password && !u.port;
}

/** Navigation (will-navigate, will-frame-navigate, will-redirect) is allowed only inside the app. */
export const isAllowedNavigation = isAppUrl;

/**
 * Maps an `app://kiosk/...` request to a file under `root`, or null when it is not the app's
 * origin or would leave `root` (`..`, encoded `%2e%2e`, backslashes, NUL). `/` is `index.html`.
 */
export function resolveAppPath(root: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, `.${path.posix.normalize(pathname)}`);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Content-Type by extension (module scripts are refused without a JavaScript type). */
export function mimeTypeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * What the renderer's session may load at all (webRequest.onBeforeRequest): its own files, and
 * data:/blob: URLs it made itself. No http(s), ws, file or ftp — the renderer has no network; the
 * agent in main talks to the exam server. `devtools:` only when developer tools are allowed.
 */
export function isAllowedRequest(url: string, devToolsAllowed = false): boolean {
  if (isAppUrl(url)) return true;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'data') return true;
  if (scheme === 'blob') return isAppUrl(url.slice('blob:'.length));
  if (scheme === 'devtools' || scheme === 'chrome-devtools') return devToolsAllowed;
  return false;
}
