import type { LiveEvent } from '@invigil/contract';

/** How an event becomes the text of its `data:` line(s). */
export type EventSerializer = (e: LiveEvent) => string;

const encoder = new TextEncoder();

/**
 * The Server-Sent Events frame of each live event (`event: message`, `data:` the event as JSON,
 * `id:` its id on the bus), built once per process and shared by every stream it goes to.
 *
 * A bus hands the same event object to every subscriber of the process (the memory bus, and the
 * Redis bus for what it reads live), so the first stream that takes an event builds its frame and
 * the others get the same bytes; whatever holds the event holds the frame, and it goes with it.
 * An event read again for one subscriber (a Redis replay after Last-Event-ID) is a new object and
 * gets its own frame. Which subscriber may see an event is still decided per subscriber.
 */
export class SseFrames {
  private readonly cache = new WeakMap<LiveEvent, { id: string; bytes: Uint8Array }>();

  constructor(private readonly serialize: EventSerializer = JSON.stringify) {}

  frame(e: LiveEvent, id: string): Uint8Array {
    const hit = this.cache.get(e);
    if (hit && hit.id === id) return hit.bytes;
    const bytes = encoder.encode(sseMessage('message', this.serialize(e), id));
    this.cache.set(e, { id, bytes });
    return bytes;
  }
}

/** One SSE message as text; `data` may span lines (each becomes a `data:` line). */
export function sseMessage(event: string, data: string, id?: string): string {
  if (/[\r\n]/.test(event) || (id !== undefined && /[\r\n]/.test(id))) throw new Error('an SSE event name or id must not contain "\\r" or "\\n"');
  const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`);
  return `event: ${event}\n${lines.join('\n')}${id !== undefined ? `\nid: ${id}` : ''}\n\n`;
}
