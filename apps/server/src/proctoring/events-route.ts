import type { LiveEvent } from '@invigil/contract';
import type { Context } from 'hono';
import type { AppEnv } from '../http/context.ts';
import type { Lifecycle } from '../http/lifecycle.ts';
import type { Invalidations } from '../ports/invalidation.ts';
import type { LiveEvents } from '../ports/live-events.ts';
import type { Principal } from '../ports/types.ts';
import { inScope, scopeOf, type StaffScope } from './scope.ts';
import { sseMessage, type SseFrames } from './sse-frames.ts';

/** Events a subscriber may have waiting; one that stops reading beyond this is dropped. */
export const MAX_QUEUED_EVENTS = 1_000;
/** A stream that sent nothing for this long sends a comment, so proxies keep it open. */
export const KEEP_ALIVE_MS = 15_000;

export interface StreamDeps {
  events: LiveEvents;
  now: () => number;
  lifecycle: Lifecycle;
  invalidations: Invalidations;
  /** The same check every request gets (throws when the login ended). */
  authenticate: (token: string) => Promise<Principal>;
  /** How often the stream checks its login again, at most 5 s. */
  recheckMs: number;
  /** Each event's frame, built once per process and written to every stream whose scope allows it. */
  frames: SseFrames;
}

const sameScope = (a: StaffScope, b: StaffScope) => JSON.stringify(a) === JSON.stringify(b);
const encoder = new TextEncoder();
const KEEP_ALIVE = encoder.encode(': keep-alive\n\n');
/** This instance is going away: the browser reconnects (to another one) after a second, with Last-Event-ID. */
const RECONNECT_SOON = encoder.encode('retry: 1000\n\n');
const CLOSED = encoder.encode(sseMessage('closed', JSON.stringify({ reason: 'your sign-in ended or your access changed; sign in again' })));

/**
 * `GET /proctor/events`: live events in the caller's scope as Server-Sent Events. Each message's
 * `id:` is the event's id on the bus; a console that reconnects sends the last one it saw as
 * `Last-Event-ID` and is first sent what it missed. The stream checks its login again every few
 * seconds and at once when the user's logins or access change: a revoked, disabled or re-scoped
 * login's stream ends (a console reconnects and gets its new scope, or a 401).
 *
 * The body is a byte stream fed straight from the bus: an event in scope is queued as its shared
 * frame (see SseFrames) the moment it is published, and the server writes it to the socket as the
 * socket takes it. What waits in that queue is what the console has not taken yet; at
 * MAX_QUEUED_EVENTS the console is dropped (it reconnects with Last-Event-ID).
 */
export function liveStream(c: Context<AppEnv>, principal: Principal, token: string, d: StreamDeps): Response {
  const scope = scopeOf(principal);
  const afterId = c.req.header('last-event-id') ?? undefined;
  let release = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let open = true;
        let sent = false;
        let unsubscribe: (() => void) | null = null;
        const send = (bytes: Uint8Array) => {
          controller.enqueue(bytes);
          sent = true;
        };
        const stop = () => {
          if (!open) return false;
          open = false;
          clearInterval(recheckTimer);
          clearInterval(keepAliveTimer);
          offLogin();
          offClose();
          unsubscribe?.();
          return true;
        };
        /** Ends the stream: after what is queued and a last word (shutdown, revoked), or at once (slow, failed). */
        const end = (why: 'shutdown' | 'revoked' | 'slow' | 'failed') => {
          if (!stop()) return;
          if (why === 'slow' || why === 'failed') return controller.error(new Error(why === 'slow' ? 'the subscriber stopped reading' : 'could not subscribe to live events'));
          send(why === 'shutdown' ? RECONNECT_SOON : CLOSED);
          controller.close();
        };
        release = () => void stop();

        send(encoder.encode(sseMessage('hello', JSON.stringify({ serverTime: d.now() }))));
        let checking = false;
        const recheck = async () => {
          if (checking || !open) return;
          checking = true;
          try {
            const now = await d.authenticate(token);
            if (now.userId !== principal.userId || now.role !== principal.role || !sameScope(scopeOf(now), scope)) end('revoked');
          } catch {
            end('revoked');
          } finally {
            checking = false;
          }
        };
        const recheckTimer = setInterval(() => void recheck(), d.recheckMs);
        // Checked twice per KEEP_ALIVE_MS: nothing sent since the last check, a comment.
        const keepAliveTimer = setInterval(() => {
          if (!sent) send(KEEP_ALIVE);
          sent = false;
        }, KEEP_ALIVE_MS / 2);
        const offLogin = d.invalidations.subscribe('login', (userId) => {
          if (userId === principal.userId) void recheck();
        });
        const offClose = d.lifecycle.onClose(() => end('shutdown'));
        d.events
          .subscribe(
            (e: LiveEvent, id: string) => {
              if (!open || !inScope(scope, { centerId: e.centerId ?? null, roomId: e.roomId ?? null })) return;
              // desiredSize is minus what waits (high-water mark 0, one per chunk): the hello and MAX_QUEUED_EVENTS events may.
              if (-(controller.desiredSize ?? 0) > MAX_QUEUED_EVENTS) return end('slow');
              send(d.frames.frame(e, id));
            },
            { afterId },
          )
          .then(
            (off) => {
              if (open) unsubscribe = off;
              else off();
            },
            () => end('failed'),
          );
      },
      // The console went away (or stopped the stream).
      cancel: () => release(),
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
  c.header('Transfer-Encoding', 'chunked');
  c.header('Content-Type', 'text/event-stream');
  c.header('Cache-Control', 'no-cache');
  c.header('Connection', 'keep-alive');
  return c.newResponse(body);
}
