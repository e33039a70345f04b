import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.ts';
import { HttpError } from './errors.ts';

/**
 * Request bodies, read straight from Node's IncomingMessage when the app runs under
 * @hono/node-server. Going through `c.req.text()` makes node-server build a full WHATWG Request
 * with a web ReadableStream for every request, which cost about a third of a heartbeat's CPU.
 *
 * Limits: a Content-Length above the limit is refused before anything is read; a chunked body is
 * counted while it is read. Either way the rest of the body is read and thrown away (up to
 * DRAIN_LIMIT) before the 413 goes out, so the client gets to read the answer instead of a broken
 * pipe; past that the connection is closed.
 */
const DRAIN_LIMIT = 64 * 1024 * 1024;

type Read = { ok: true; body: Buffer } | { ok: false; drained: boolean };

function incomingOf(c: Context): IncomingMessage | undefined {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  const incoming = env?.incoming;
  return incoming && typeof incoming.on === 'function' && typeof incoming.readableEnded === 'boolean' ? incoming : undefined;
}

/**
 * The body at once, when the HTTP parser has already received all of it (a small request, such as
 * a heartbeat, arrives in one packet with its headers) and nobody else reads the stream: taken from
 * the stream's buffer with one read(), with no listeners and no ticks. Same answer as reading it
 * chunk by chunk below. Null: read it the long way.
 */
function readBuffered(incoming: IncomingMessage, max: number): Read | null {
  if (!incoming.complete || incoming.readableFlowing !== null || incoming.readableEncoding !== null || incoming.listenerCount('data') > 0) return null;
  const chunk = incoming.read() as Buffer | null;
  const size = chunk === null ? 0 : chunk.length;
  if (size > max) return { ok: false, drained: size <= DRAIN_LIMIT };
  return { ok: true, body: chunk ?? Buffer.alloc(0) };
}

function readIncoming(incoming: IncomingMessage, max: number): Promise<Read> {
  if (incoming.readableEnded) return Promise.resolve({ ok: true, body: Buffer.alloc(0) });
  const buffered = readBuffered(incoming, max);
  if (buffered) return Promise.resolve(buffered);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const finish = (r: Read) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onError);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        if (size > DRAIN_LIMIT) {
          incoming.pause();
          finish({ ok: false, drained: false });
        }
        return;
      }
      if (size > max) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(over ? { ok: false, drained: true } : { ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onError = () => finish({ ok: false, drained: false });
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('aborted', onError);
  });
}

function tooLarge(max: number, drained: boolean): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${max} bytes`, { maxBytes: max }, drained ? undefined : { Connection: 'close' });
}

/** Whether the request declares a Content-Length above `max` (and no chunked body). */
export function declaresTooLarge(contentLength: string | undefined, transferEncoding: string | undefined, max: number): boolean {
  return contentLength !== undefined && transferEncoding === undefined && Number(contentLength) > max;
}

/**
 * A declared Content-Length above `max` (and no chunked body): the 413 to answer, after the body
 * was read and thrown away; null when the declared size is within the limit (or none is declared).
 */
export async function declaredTooLarge(incoming: IncomingMessage | undefined, contentLength: string | undefined, transferEncoding: string | undefined, max: number): Promise<HttpError | null> {
  if (!declaresTooLarge(contentLength, transferEncoding, max)) return null;
  const r = incoming ? await readIncoming(incoming, 0) : { ok: false as const, drained: false };
  return tooLarge(max, !r.ok && r.drained);
}

/** Sets the body limit of the routes below it and refuses a declared Content-Length above it at once. */
export function bodyLimit(limitFor: (c: Context<AppEnv>) => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const max = limitFor(c);
    c.set('maxBody', max);
    const refused = await declaredTooLarge(incomingOf(c), c.req.header('content-length'), c.req.header('transfer-encoding'), max);
    if (refused) throw refused;
    return next();
  };
}

/** The request body as text (empty when there is none), within the route's body limit. */
export async function bodyText(c: Context): Promise<string> {
  const max = (c.get('maxBody') as number | undefined) ?? 256 * 1024;
  const incoming = incomingOf(c);
  if (incoming) {
    const r = await readIncoming(incoming, max);
    if (!r.ok) throw tooLarge(max, r.drained);
    return r.body.toString('utf8');
  }
  // Not under node-server (app.request() in a test): the body is already in memory.
  const text = await c.req.text();
  if (Buffer.byteLength(text) > max) throw tooLarge(max, true);
  return text;
}
