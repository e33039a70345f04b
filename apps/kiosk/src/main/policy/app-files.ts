import { readFile } from 'node:fs/promises';
import { securityHeaders } from './csp.ts';
import { mimeTypeFor, resolveAppPath } from './navigation.ts';

/**
 * The `app://kiosk/...` handler (protocol.handle): files from `root` (dist/renderer) only, each
 * with its Content-Type and the security headers (CSP...). Anything else is a plain 404.
 * Uses only web-standard Request/Response, so it is tested under plain Node.
 */
export function createAppRequestHandler(root: string, read: (file: string) => Promise<Buffer> = (f) => readFile(f)) {
  return async (request: Request): Promise<Response> => {
    const notFound = () => new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders() } });
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: securityHeaders() });
    const file = resolveAppPath(root, request.url);
    if (!file) return notFound();
    let body: Buffer;
    try {
      body = await read(file);
    } catch {
      return notFound();
    }
    const headers = { 'content-type': mimeTypeFor(file), 'cache-control': 'no-store', ...securityHeaders() };
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}
