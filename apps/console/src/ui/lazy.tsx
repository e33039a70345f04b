import type { ComponentType, VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorNote, Loading } from './bits.tsx';

/** A component whose code loads on first use (its own chunk), so the room view starts fast. */
export function lazy<P extends object>(load: () => Promise<ComponentType<P>>, fallback: () => VNode | null = () => <Loading what="page" />): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  const component = function Lazy(props: P) {
    const [, setN] = useState(0);
    const [error, setError] = useState<unknown>(null);
    useEffect(() => {
      if (loaded) return;
      pending ??= load().then((c) => void (loaded = c));
      pending.then(
        () => setN((n) => n + 1),
        (e: unknown) => {
          pending = null;
          setError(e);
        },
      );
    }, []);
    if (error) return <ErrorNote error={error} />;
    const C = loaded;
    return C ? <C {...props} /> : fallback();
  };
  /** Fetches the code ahead of need (e.g. when the browser is idle). */
  (component as ComponentType<P> & { preload?: () => void }).preload = () => {
    pending ??= load().then((c) => void (loaded = c));
  };
  return component;
}
