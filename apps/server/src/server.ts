import { serve, type ServerType } from '@hono/node-server';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { assemble } from './composition.ts';
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
export async function startServer(config: Config, log: Logger = pino({ level: config.LOG_LEVEL })): Promise<RunningServer> {
  // Read before anything starts: a missing or unreadable certificate is said in one sentence.
  const tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE ? readTls(config.TLS_CERT_FILE, config.TLS_KEY_FILE) : null;
  const a = await assemble(config, { log });
  // Connections: kept open between heartbeats (keep-alive well above the heartbeat interval, so a
  // kiosk holds one connection, not one per beat); a request must send its headers within 20 s and
  // finish within 2 minutes; a connection that sends nothing at all is closed after 20 s.
  const keepAliveTimeout = Math.max(65_000, 2 * config.HEARTBEAT_INTERVAL_MS + 5_000);
  const server: ServerType = await new Promise((resolveListen) => {
    const s = serve(
      {
        fetch: a.app.fetch,
        port: config.PORT,
        hostname: config.HOST,
        serverOptions: { keepAliveTimeout, headersTimeout: 20_000, requestTimeout: 120_000, connectionsCheckingInterval: 5_000, ...(tls ? { ...tls, handshakeTimeout: 20_000, minVersion: 'TLSv1.2' as const } : {}) },
        ...(tls ? { createServer: createHttpsServer } : {}),
      },
      () => resolveListen(s),
    );
  });
  (server as Server).on('connection', () => a.metrics.connectionOpened());
  guardConnections(server as Server, {
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
