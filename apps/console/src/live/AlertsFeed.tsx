import type { Alert } from '@invigil/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { kindLabel } from './Tile.tsx';
import { time } from '../format.ts';
import type { RoomStore } from './room-store.ts';

const SEVERITY: Record<Alert['severity'], string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

/** Open alerts, newest on top; new ones are announced to screen readers. */
export function AlertsFeed(props: { store: RoomStore; onShow: (attemptId: string) => void }) {
  const { store } = props;
  const alerts = store.alerts;
  const [announce, setAnnounce] = useState('');
  const [error, setError] = useState<string | null>(null);
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    const ids = new Set(alerts.map((a) => a.id));
    if (seen.current) {
      const fresh = alerts.filter((a) => !seen.current!.has(a.id));
      if (fresh.length === 1) setAnnounce(`New alert: ${fresh[0]!.message}`);
      else if (fresh.length > 1) setAnnounce(`${fresh.length} new alerts`);
    }
    seen.current = ids;
  }, [alerts]);
  const seat = (a: Alert) => {
    const t = a.attemptId ? store.tiles.get(a.attemptId) : undefined;
    return t ? `${t.s.seat ? `Seat ${t.s.seat} · ` : ''}${t.s.candidate.name || t.s.candidate.id}` : (a.candidateId ?? 'No session');
  };
  return (
    <aside class="alerts" aria-labelledby="alerts-h">
      <h2 id="alerts-h">
        Alerts <span class="count-pill">{alerts.length}</span>
      </h2>
      <p class="sr-only" aria-live="polite" role="status">
        {announce}
      </p>
      {error ? (
        <p class="note note-error" role="alert">
          {error}
        </p>
      ) : null}
      {alerts.length === 0 ? <p class="muted">No open alerts.</p> : null}
      {alerts.length > 1 ? (
        <button
          type="button"
          class="btn btn-small btn-quiet ack-all"
          onClick={async () => {
            setError(null);
            try {
              const r = await api.post<{ acknowledged: number }>('/proctor/alerts/ack', { alertIds: alerts.slice(0, 500).map((a) => a.id) });
              setAnnounce(`${r.acknowledged} alerts acknowledged`);
              await store.loadAlerts();
            } catch (e) {
              setError(messageOf(e));
            }
          }}
        >
          Acknowledge all {alerts.length}
        </button>
      ) : null}
      <ol class="alert-list">
        {alerts.map((a) => (
          <li key={a.id} class={`alert-item alert-${a.severity}`}>
            <div class="alert-head">
              <span class={`sev sev-${a.severity}`}>{SEVERITY[a.severity]}</span>
              <span class="alert-kind">{kindLabel(a.kind)}</span>
              <time dateTime={a.at} class="muted">
                {time(a.at)}
              </time>
            </div>
            <p class="alert-who">{a.attemptId ? seat(a) : a.kind === 'server_outage' ? 'Whole room' : seat(a)}</p>
            <p class="alert-msg">
              {a.message}
              {a.count > 1 ? (
                <span class="muted" title={`last at ${time(a.lastSeenAt)}`}>
                  {' '}
                  · {a.count}× (last {time(a.lastSeenAt)})
                </span>
              ) : null}
            </p>
            <div class="alert-actions">
              {a.attemptId && store.tiles.has(a.attemptId) ? (
                <button type="button" class="btn btn-small btn-quiet" onClick={() => props.onShow(a.attemptId!)}>
                  Show seat
                </button>
              ) : null}
              <button
                type="button"
                class="btn btn-small"
                onClick={async () => {
                  setError(null);
                  try {
                    await store.ack(a.id);
                  } catch (e) {
                    setError(messageOf(e));
                  }
                }}
              >
                Acknowledge
              </button>
            </div>
          </li>
        ))}
      </ol>
    </aside>
  );
}
