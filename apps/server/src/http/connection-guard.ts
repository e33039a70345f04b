import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

export interface ConnectionGuardOptions {
  /** A connection that has sent nothing this long after opening is closed. */
  firstByteTimeoutMs: number;
  /** Open connections one address may hold; beyond it new ones are closed at once. */
  maxPerAddress: number;
  /** Addresses the cap does not apply to (a trusted reverse proxy carries everyone's traffic). */
  exempt: (address: string) => boolean;
  log: Pick<Logger, 'warn'>;
}

/**
 * Node closes a connection that started a request and stalls (headers/request timeouts), but not
 * one that never sends a byte: thousands of those would hold the server's file descriptors until
 * nothing else gets in. This closes them, and caps how many connections one address may hold.
 */
export function guardConnections(server: Server, o: ConnectionGuardOptions): { refused: () => number } {
  const open = new Map<string, number>();
  let refused = 0;
  let lastWarn = 0;
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (!o.exempt(address)) {
      const n = (open.get(address) ?? 0) + 1;
      if (n > o.maxPerAddress) {
        refused += 1;
        socket.destroy();
        const t = Date.now();
        if (t - lastWarn > 10_000) {
          lastWarn = t;
          o.log.warn({ address, limit: o.maxPerAddress, refusedSoFar: refused }, 'too many open connections from one address: new ones are closed');
        }
        return;
      }
      open.set(address, n);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
    }
    const silent = setTimeout(() => socket.destroy(), o.firstByteTimeoutMs);
    silent.unref();
    socket.once('data', () => clearTimeout(silent));
    socket.once('close', () => clearTimeout(silent));
  });
  return { refused: () => refused };
}
