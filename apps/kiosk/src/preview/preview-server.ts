import type { Agent } from '@invigil/agent';
import { createKioskIpcHandler } from '@invigil/agent';
import { KioskPush, KioskShellIpc } from '@invigil/contract';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** The same policy Electron main sends with the renderer (apps/kiosk/README.md, "Security settings"): the preview proves the UI lives with it. */
export const KIOSK_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface PreviewServerOptions {
  agent: Agent;
  /** the built renderer (apps/kiosk/dist/renderer) */
  rendererDir: string;
  /** the compiled bridge-client.ts */
  bridgeJs: string;
  previewCss: string;
  /** Where saveOfflineBundle writes (the preview has no save dialog); none: not offered. */
  usbDir?: string;
}

/**
 * Serves the built renderer over HTTP with the preview bridge put in front of it, and answers the
 * bridge: POST /__preview/ipc/:name → the kiosk IPC handler over the real agent; GET
 * /__preview/events → Server-Sent Events with the agent's state (now and on every change) and events.
 * Bound to 127.0.0.1 by the caller. Calls need the `x-invigil-preview` header (another web page
 * cannot send it cross-origin without a preflight this server never grants) and a loopback Host.
 */
export function createPreviewServer(o: PreviewServerOptions): Server {
  const handle = createKioskIpcHandler(o.agent);
  const root = resolve(o.rendererDir);
  const clients = new Set<ServerResponse>();
  const send = (kind: 'state' | 'event', payload: unknown) => {
    const frame = `event: ${kind}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of clients) res.write(frame);
  };
  o.agent.subscribe((s) => send('state', KioskPush.state.payload.parse(s)));
  o.agent.onEvent((e) => send('event', KioskPush.event.payload.parse(e)));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) return text(res, 403, 'the preview only answers on localhost');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;

    if (path.startsWith('/__preview/ipc/')) {
      if (req.method !== 'POST') return text(res, 405, 'POST only');
      if (req.headers['x-invigil-preview'] !== '1') return text(res, 403, 'missing x-invigil-preview header');
      const name = decodeURIComponent(path.slice('/__preview/ipc/'.length));
      let payload: unknown;
      try {
        payload = JSON.parse((await body(req)) || '{}');
      } catch {
        return json(res, 200, { ok: false, error: { code: 'MALFORMED_JSON', message: 'the request body is not JSON' } });
      }
      // The shell's own calls (KioskShellIpc) have no Electron main here.
      if (name === 'requestQuit') return json(res, 200, { ok: false, error: { code: 'FORBIDDEN', message: 'The preview has no staff quit: stop it with Ctrl-C in its terminal.' } });
      if (name === 'requestQuitOffline' || name === 'saveOfflineBundle') return json(res, 200, await offlineShellCall(o, name, payload));
      return json(res, 200, await handle(name, payload));
    }
    if (path === '/__preview/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: state\ndata: ${JSON.stringify(o.agent.state())}\n\n`);
      clients.add(res);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(keepAlive);
        clients.delete(res);
      });
      return;
    }
    if (path === '/__preview/bridge.js') return file(res, 200, o.bridgeJs, '.js');
    if (path === '/__preview/preview.css') return file(res, 200, o.previewCss, '.css');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'GET only');

    if (path === '/' || path === '/index.html') {
      const html = await readFile(join(root, 'index.html'), 'utf8');
      // The bridge is a classic script in <head>: it runs before the app's module script.
      const injected = html.replace(
        /<head>/i,
        '<head>\n    <link rel="stylesheet" href="/__preview/preview.css" />\n    <script src="/__preview/bridge.js"></script>',
      );
      return file(res, 200, injected, '.html');
    }
    const target = normalize(join(root, decodeURIComponent(path)));
    if (!target.startsWith(root + sep)) return text(res, 404, 'not found');
    try {
      return file(res, 200, await readFile(target), extname(target));
    } catch {
      return text(res, 404, 'not found');
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) text(res, 500, `preview error: ${(err as Error).message}`);
      else res.end();
    });
  });
  server.on('close', () => {
    for (const res of clients) res.end();
    clients.clear();
  });
  return server;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        reject(new Error('request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function headers(type: string): Record<string, string> {
  return { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': KIOSK_CSP, 'x-content-type-options': 'nosniff' };
}

function file(res: ServerResponse, status: number, content: string | Buffer, ext: string): void {
  res.writeHead(status, headers(TYPES[ext] ?? 'application/octet-stream'));
  res.end(content);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, headers('application/json'));
  res.end(JSON.stringify(value));
}

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, headers('text/plain; charset=utf-8'));
  res.end(message);
}

/**
 * The shell's offline calls in the preview: the offline quit code is checked by the agent as in the
 * kiosk (the preview then says so instead of quitting); the bundle goes to `usbDir`.
 */
async function offlineShellCall(o: PreviewServerOptions, name: 'requestQuitOffline' | 'saveOfflineBundle', payload: unknown): Promise<unknown> {
  const req = KioskShellIpc[name].request.safeParse(payload ?? {});
  if (!req.success) return { ok: false, error: { code: 'VALIDATION_FAILED', message: req.error.issues.map((i) => i.message).join('; ') } };
  try {
    if (name === 'requestQuitOffline') {
      await o.agent.checkOfflineCode('quit', (req.data as { code: string }).code);
      process.stderr.write('PREVIEW: the offline quit code was right; a kiosk would quit now (the preview keeps running)\n');
      return { ok: true, data: { quitting: true } };
    }
    if (!o.usbDir) return { ok: false, error: { code: 'NOT_CONFIGURED', message: 'The preview has no folder for offline bundles.' } };
    await mkdir(o.usbDir, { recursive: true });
    const who = (o.agent.state().candidateId ?? 'exam').replace(/[^A-Za-z0-9_.-]+/g, '_');
    const r = await o.agent.exportOfflineBundle(join(o.usbDir, `${who}-offline.invigil`), { submit: (req.data as { submit: boolean }).submit });
    return { ok: true, data: { saved: true, path: r.path, answers: r.answers } };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, error: { code: typeof err.code === 'string' ? err.code : 'INTERNAL', message: err.message ?? 'the preview could not do that' } };
  }
}
