import type { LiveEvent } from '@invigil/contract';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../http/context.ts';
import type { Lifecycle } from '../http/lifecycle.ts';
import type { Invalidations } from '../ports/invalidation.ts';
import type { LiveEvents } from '../ports/live-events.ts';
import type { Principal } from '../ports/types.ts';
import { inScope, scopeOf, type StaffScope } from './scope.ts';
import type { SseFrames } from './sse-frames.ts';

/** Events a subscriber may have waiting; one that stops reading beyond this is dropped. */
export const MAX_QUEUED_EVENTS = 1_000;

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

/**
 * `GET /proctor/events`: live events in the caller's scope as Server-Sent Events. Each message's
 * `id:` is the event's id on the bus; a console that reconnects sends the last one it saw as
 * `Last-Event-ID` and is first sent what it missed. The stream checks its login again every few
 * seconds and at once when the user's logins or access change: a revoked, disabled or re-scoped
 * login's stream ends (a console reconnects and gets its new scope, or a 401).
 */
export function liveStream(c: Context<AppEnv>, principal: Principal, token: string, d: StreamDeps): Response {
  const scope = scopeOf(principal);
  const afterId = c.req.header('last-event-id') ?? undefined;
  return streamSSE(c, async (stream) => {
    const queue: Uint8Array[] = [];
    let wake: (() => void) | null = null;
    let ending: 'shutdown' | 'revoked' | 'slow' | null = null;
    const end = (why: 'shutdown' | 'revoked' | 'slow') => {
      ending ??= why;
      wake?.();
      // A subscriber that stopped reading may have a write waiting forever: abort it (the write gives up).
      if (why === 'slow') {
        void stream.write('retry: 5000\n\n').catch(() => undefined);
        stream.abort();
      }
    };
    const unsubscribe = await d.events.subscribe(
      (e: LiveEvent, id: string) => {
        if (!inScope(scope, { centerId: e.centerId ?? null, roomId: e.roomId ?? null })) return;
        if (queue.length >= MAX_QUEUED_EVENTS) return end('slow');
        queue.push(d.frames.frame(e, id));
        wake?.();
      },
      { afterId },
    );
    let checking = false;
    const recheck = async () => {
      if (checking || ending) return;
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
    const timer = setInterval(() => void recheck(), d.recheckMs);
    const offLogin = d.invalidations.subscribe('login', (userId) => {
      if (userId === principal.userId) void recheck();
    });
    const offClose = d.lifecycle.onClose(() => end('shutdown'));
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    try {
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ serverTime: d.now() }) });
      while (!stream.aborted && !stream.closed && !ending) {
        while (queue.length && !ending) {
          await stream.write(queue.shift()!);
        }
        if (ending) break;
        // Wait for the next event, or 15 s, then send a keep-alive comment through proxies.
        await new Promise<void>((res) => {
          const t = setTimeout(res, 15_000);
          wake = () => {
            clearTimeout(t);
            res();
          };
        });
        wake = null;
        if (!queue.length && !stream.aborted && !ending) await stream.write(': keep-alive\n\n');
      }
      if (!stream.aborted) {
        if (ending === 'shutdown') {
          // This instance is going away: the browser reconnects (to another one) after a second, with Last-Event-ID.
          while (queue.length) {
            await stream.write(queue.shift()!);
          }
          await stream.write('retry: 1000\n\n');
        } else if (ending === 'revoked') {
          await stream.writeSSE({ event: 'closed', data: JSON.stringify({ reason: 'your sign-in ended or your access changed; sign in again' }) });
        }
      }
    } finally {
      clearInterval(timer);
      offLogin();
      offClose();
      unsubscribe();
    }
  });
}
