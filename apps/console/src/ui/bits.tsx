import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { messageOf } from '../api.ts';
import { STATUS_LABEL, type TileStatus } from '../live/status.ts';
import { t } from '../i18n/index.ts';

export function StatusBadge(props: { status: TileStatus; text?: string; large?: boolean }) {
  const l = STATUS_LABEL[props.status];
  return (
    <span class={`badge badge-${props.status}${props.large ? ' badge-lg' : ''}`} title={l.hint}>
      <span aria-hidden="true" class="badge-sym">
        {l.symbol}
      </span>
      {props.text ?? l.label}
    </span>
  );
}

export function ErrorNote(props: { error: unknown }) {
  if (!props.error) return null;
  return (
    <p class="note note-error" role="alert">
      {messageOf(props.error)}
    </p>
  );
}

export function Loading(props: { what?: string }) {
  return (
    <p class="muted" role="status">
      {props.what ? t('ui.loading', { what: props.what }) : t('ui.loadingPlain')}
    </p>
  );
}

export function PageHead(props: { title: string; children?: ComponentChildren; sub?: ComponentChildren }) {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.sub ? <p class="muted page-sub">{props.sub}</p> : null}
      </div>
      {props.children ? <div class="page-actions">{props.children}</div> : null}
    </div>
  );
}

/** Loads data for a page; `reload` fetches again. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, error: null, loading: false }),
      (error: unknown) => !ac.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => ac.abort();
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

/** Re-renders every second, aligned to the second boundary. */
export function useSecondTick(): number {
  const [t, setT] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const step = () => {
      setT(Math.floor(Date.now() / 1000));
      timer = setTimeout(step, 1000 - (Date.now() % 1000) + 5);
    };
    timer = setTimeout(step, 1000 - (Date.now() % 1000) + 5);
    return () => clearTimeout(timer);
  }, []);
  return t;
}
