import type { Alert } from '@invigil/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { kindLabel } from './Tile.tsx';
import { time } from '../format.ts';
import type { RoomStore } from './room-store.ts';
import { t, useLang } from '../i18n/index.ts';


/** Open alerts, newest on top; new ones are announced to screen readers. */
export function AlertsFeed(props: { store: RoomStore; onShow: (attemptId: string) => void }) {
  useLang();
  const { store } = props;
  const alerts = store.alerts;
  const [announce, setAnnounce] = useState('');
  const [error, setError] = useState<string | null>(null);
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    const ids = new Set(alerts.map((a) => a.id));
    if (seen.current) {
      const fresh = alerts.filter((a) => !seen.current!.has(a.id));
      if (fresh.length === 1) setAnnounce(t('alerts.newOne', { message: fresh[0]!.message }));
      else if (fresh.length > 1) setAnnounce(t('alerts.newMany', { n: fresh.length }));
    }
    seen.current = ids;
  }, [alerts]);
  const seat = (a: Alert) => {
    const x = a.attemptId ? store.tiles.get(a.attemptId) : undefined;
    return x ? `${x.s.seat ? `${t('tile.seat', { seat: x.s.seat })} · ` : ''}${x.s.candidate.name || x.s.candidate.id}` : (a.candidateId ?? t('alerts.noSession'));
  };
  return (
    <aside class="alerts" aria-labelledby="alerts-h">
      <h2 id="alerts-h">
        {t('alerts.title')} <span class="count-pill">{alerts.length}</span>
      </h2>
      <p class="sr-only" aria-live="polite" role="status">
        {announce}
      </p>
      {error ? (
        <p class="note note-error" role="alert">
          {error}
        </p>
      ) : null}
      {alerts.length === 0 ? <p class="muted">{t('alerts.none')}</p> : null}
      {alerts.length > 1 ? (
        <button
          type="button"
          class="btn btn-small btn-quiet ack-all"
          onClick={async () => {
            setError(null);
            try {
              const r = await api.post<{ acknowledged: number }>('/proctor/alerts/ack', { alertIds: alerts.slice(0, 500).map((a) => a.id) });
              setAnnounce(t('alerts.acked', { n: r.acknowledged }));
              await store.loadAlerts();
            } catch (e) {
              setError(messageOf(e));
            }
          }}
        >
          {t('alerts.ackAll', { n: alerts.length })}
        </button>
      ) : null}
      <ol class="alert-list">
        {alerts.map((a) => (
          <li key={a.id} class={`alert-item alert-${a.severity}`}>
            <div class="alert-head">
              <span class={`sev sev-${a.severity}`}>{t(`alerts.sev.${a.severity}`)}</span>
              <span class="alert-kind">{kindLabel(a.kind)}</span>
              <time dateTime={a.at} class="muted">
                {time(a.at)}
              </time>
            </div>
            <p class="alert-who">{a.attemptId ? seat(a) : a.kind === 'server_outage' ? t('alerts.wholeRoom') : seat(a)}</p>
            <p class="alert-msg">
              {a.message}
              {a.count > 1 ? (
                <span class="muted" title={t('alerts.lastAt', { time: time(a.lastSeenAt) })}>
                  {t('alerts.repeat', { n: a.count, time: time(a.lastSeenAt) })}
                </span>
              ) : null}
            </p>
            <div class="alert-actions">
              {a.attemptId && store.tiles.has(a.attemptId) ? (
                <button type="button" class="btn btn-small btn-quiet" onClick={() => props.onShow(a.attemptId!)}>
                  {t('alerts.showSeat')}
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
                {t('alerts.ack')}
              </button>
            </div>
          </li>
        ))}
      </ol>
    </aside>
  );
}
