import type { LiveEvent } from '@invigil/contract';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../http/context.ts';
import type { Lifecycle } from '../http/lifecycle.ts';
import type { LiveEvents } from '../ports/live-events.ts';
import type { Principal } from '../ports/types.ts';
import { inScope, scopeOf } from './scope.ts';

/**
 * `GET /proctor/events`: live events in the caller's scope as Server-Sent Events. Each message's
 * `id:` is the event's id on the bus; a console that reconnects sends the last one it saw as
 * `Last-Event-ID` and is first sent what it missed.
 */
export function liveStream(c: Context<AppEnv>, principal: Principal, events: LiveEvents, now: () => number, lifecycle: Lifecycle): Response {
  const scope = scopeOf(principal);
  const afterId = c.req.header('last-event-id') ?? undefined;
  return streamSSE(c, async (stream) => {
    const queue: { id: string; data: string }[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = await events.subscribe(
      (e: LiveEvent, id: string) => {
        if (!inScope(scope, { centerId: e.centerId ?? null, roomId: e.roomId ?? null })) return;
        queue.push({ id, data: JSON.stringify(e) });
        wake?.();
      },
      { afterId },
    );
    let ending = false;
    const offClose = lifecycle.onClose(() => {
      ending = true;
      wake?.();
    });
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    await stream.writeSSE({ event: 'hello', data: JSON.stringify({ serverTime: now() }) });
    while (!stream.aborted && !stream.closed && !ending) {
      while (queue.length) {
        const m = queue.shift()!;
        await stream.writeSSE({ event: 'message', data: m.data, id: m.id });
      }
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
    if (ending && !stream.aborted) {
      // Shutting down: the browser reconnects (to another instance) after a second, with Last-Event-ID.
      while (queue.length) {
        const m = queue.shift()!;
        await stream.writeSSE({ event: 'message', data: m.data, id: m.id });
      }
      await stream.write('retry: 1000\n\n');
    }
    offClose();
    unsubscribe();
  });
}
