/**
 * PREVIEW ONLY — served by `kiosk:preview` at /__preview/bridge.js and never bundled into the
 * Electron renderer. Plays the preload's part over HTTP: `window.kiosk.<call>(req)` POSTs to
 * /__preview/ipc/<call> (the preview runs the same createKioskIpcHandler over the real agent), and
 * `onState` / `onEvent` listen to one EventSource on /__preview/events. It also puts up the
 * "PREVIEW — no lockdown" banner, so nobody mistakes this page for a locked-down kiosk.
 */
type Listener = (payload: unknown) => void;
type Envelope = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

(() => {
  const listeners = { state: new Set<Listener>(), event: new Set<Listener>() };
  let source: EventSource | null = null;

  function connect(): void {
    if (source) return;
    source = new EventSource('/__preview/events');
    for (const kind of ['state', 'event'] as const) {
      source.addEventListener(kind, (m) => {
        const payload: unknown = JSON.parse((m as MessageEvent<string>).data);
        for (const fn of listeners[kind]) fn(payload);
      });
    }
    // EventSource reconnects by itself; on reconnect the preview sends the current state again.
  }

  function subscribe(kind: 'state' | 'event', fn: Listener): () => void {
    listeners[kind].add(fn);
    connect();
    return () => listeners[kind].delete(fn);
  }

  async function call(name: string, req: unknown): Promise<Envelope> {
    try {
      const res = await fetch(`/__preview/ipc/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-invigil-preview': '1' },
        body: JSON.stringify(req ?? {}),
      });
      return (await res.json()) as Envelope;
    } catch (e) {
      return { ok: false, error: { code: 'INTERNAL', message: `the preview process is not answering: ${(e as Error).message}` } };
    }
  }

  const fixed: Record<string, unknown> = {
    onState: (fn: Listener) => subscribe('state', fn),
    onEvent: (fn: Listener) => subscribe('event', fn),
  };
  // Any other name is a call: the agent's handler answers UNKNOWN_CALL for names the contract lacks.
  const kiosk = new Proxy(fixed, {
    get: (target, prop) => (typeof prop !== 'string' || prop === 'then' ? undefined : prop in target ? target[prop] : (req: unknown) => call(prop, req)),
  });
  Object.defineProperty(window, 'kiosk', { value: kiosk, configurable: false, writable: false });

  function banner(): void {
    const b = document.createElement('div');
    b.className = 'invigil-preview-banner';
    b.setAttribute('role', 'note');
    b.textContent = 'PREVIEW — no lockdown. This is the kiosk UI running against the real agent, in an ordinary browser.';
    document.body.prepend(b);
    document.documentElement.classList.add('invigil-preview');
  }
  if (document.body) banner();
  else document.addEventListener('DOMContentLoaded', banner, { once: true });
})();
