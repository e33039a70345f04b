import { getRequestListener } from '@hono/node-server';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { SECURE_HEADERS } from './app.ts';
import { assemble, type Assembled } from './composition.ts';
import { apiAnswerHeaders } from './http/fast-lane.ts';
import type { Config } from './config.ts';
import { isTrustedProxy, proxyTrust } from './http/client-address.ts';
import { guardConnections } from './http/connection-guard.ts';
import { StartupRefused } from './ports/errors.ts';

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  adminUsername: string;
  /** Only when generated on this first start. */
  generatedAdminPassword?: string;
  log: Logger;
  /**
   * Graceful stop: no new connections; requests in flight finish (for up to SHUTDOWN_GRACE_MS);
   * live-event streams end with a reconnect hint; queued answers and presence are flushed.
   */
  close(): Promise<void>;
}

/** Assembles the server and listens. */
export async function startServer(config: Config, log: Logger = pino({ level: config.LOG_LEVEL }), opts: { fastLane?: boolean } = {}): Promise<RunningServer> {
  // Read before anything starts: a missing or unreadable certificate is said in one sentence.
  const tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE ? readTls(config.TLS_CERT_FILE, config.TLS_KEY_FILE) : null;
  const a = await assemble(config, { log });
  // Connections: kept open between heartbeats (keep-alive well above the heartbeat interval, so a
  // kiosk holds one connection, not one per beat); a request must send its headers within 20 s and
  // finish within 2 minutes; a connection that sends nothing at all is closed after 20 s.
  const keepAliveTimeout = Math.max(65_000, 2 * config.HEARTBEAT_INTERVAL_MS + 5_000);
  // The two hot routes (heartbeat, answer save) are served by the fast lane straight from
  // node:http; everything else by Hono (opts.fastLane: false sends everything to Hono).
  const listener = await requestListener(a, opts.fastLane !== false);
  const serverOptions = { keepAliveTimeout, headersTimeout: 20_000, requestTimeout: 120_000, connectionsCheckingInterval: 5_000 };
  const server: Server = tls ? createHttpsServer({ ...serverOptions, ...tls, handshakeTimeout: 20_000, minVersion: 'TLSv1.2' as const }, listener) : createHttpServer(serverOptions, listener);
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(config.PORT, config.HOST, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (e) {
    await a.close().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new StartupRefused(`cannot listen on ${config.HOST}:${config.PORT} (${code}): another program holds the port, or it needs privileges; choose another PORT.`);
    throw e;
  }
  server.on('connection', () => a.metrics.connectionOpened());
  guardConnections(server, {
    firstByteTimeoutMs: 20_000,
    maxPerAddress: config.MAX_CONNECTIONS_PER_ADDRESS,
    // Behind a reverse proxy every request arrives from it: the cap is the proxy's business then.
    exempt: (address) => isTrustedProxy(proxyTrust(config), address),
    log,
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  log.info({ port, dataDir: a.dataDir, tls: tls !== null }, 'listening');
  const http = server as unknown as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
  let closing: Promise<void> | null = null;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    dataDir: a.dataDir,
    adminUsername: config.ADMIN_USERNAME,
    ...(a.generatedAdminPassword ? { generatedAdminPassword: a.generatedAdminPassword } : {}),
    log,
    close: () =>
      (closing ??= new Promise<void>((done) => {
        a.lifecycle.close(); // streams end, new requests are turned away
        const cut = setTimeout(() => http.closeAllConnections?.(), config.SHUTDOWN_GRACE_MS);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          void a.close().then(done, (err: unknown) => {
            log.error({ err }, 'error while closing');
            done();
          });
        });
        http.closeIdleConnections?.();
      })),
  };
}

/** What answers each request: the fast lane for the hot routes (unless `fastLane` is false), Hono for the rest. */
export async function requestListener(a: Pick<Assembled, 'app' | 'fastLane'>, fastLane = true): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const hono = getRequestListener(a.app.fetch);
  const lane = fastLane ? a.fastLane(await apiAnswerHeaders(SECURE_HEADERS)) : null;
  return (req, res) => {
    if (lane?.serve(req, res)) return;
    void hono(req, res);
  };
}

function readTls(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  let pair: { cert: Buffer; key: Buffer };
  try {
    pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (e) {
    throw new StartupRefused(`cannot read the TLS certificate or key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check TLS_CERT_FILE and TLS_KEY_FILE.`);
  }
  try {
    createSecureContext(pair);
  } catch (e) {
    throw new StartupRefused(`TLS_CERT_FILE and TLS_KEY_FILE are not a usable certificate and its key (${(e as Error).message}): both must be PEM, and the key must be the certificate's.`);
  }
  return pair;
}
