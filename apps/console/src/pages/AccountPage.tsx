import type { LoginSession, LoginSessionAnalytics } from '@invigil/contract';
import { ChangePasswordRequest } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, auth, messageOf } from '../api.ts';
import { shortDateTime } from '../format.ts';
import { ChartView } from '../ui/Chart.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { t, useLang } from '../i18n/index.ts';

const PALETTE = ['#2f6fb0', '#2e8a57', '#b7791f', '#8e4fb4', '#c0392b', '#5f6b7a'];

/** The staff member's own login sessions (this device marked), revoke, password change. */
export function AccountPage() {
  useLang();
  const list = useLoad((signal) => api.get<LoginSession[]>('/sessions', undefined, signal), []);
  const stats = useLoad((signal) => api.get<LoginSessionAnalytics>('/sessions/analytics', undefined, signal), []);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const me = auth.get();

  const revoke = async (id: string) => {
    setError(null);
    try {
      await api.del(`/sessions/${encodeURIComponent(id)}`);
      setNote(t('acct.revoked'));
      list.reload();
      stats.reload();
    } catch (e) {
      setError(e);
    }
  };
  const others = (list.data ?? []).filter((s) => !s.isCurrent).length;
  const types = Object.entries(stats.data?.deviceTypes ?? {});

  return (
    <section>
      <PageHead title={t('acct.title')} sub={me ? t('acct.signedInAs', { user: me.user.username, role: me.user.role }) : undefined} />
      <div class="two-col">
        <div class="card">
          <div class="card-head">
            <h2>{t('acct.where')}</h2>
            <button
              type="button"
              class="btn"
              disabled={others === 0}
              onClick={async () => {
                setError(null);
                try {
                  const r = await api.del<{ revoked: number }>('/sessions');
                  setNote(t('acct.othersOut', { n: r.revoked }));
                  list.reload();
                  stats.reload();
                } catch (e) {
                  setError(e);
                }
              }}
            >
              {t('acct.everywhere')}
            </button>
          </div>
          <p role="status" class="muted">
            {note}
          </p>
          <ErrorNote error={error ?? list.error} />
          {list.loading && !list.data ? <Loading what={t('acct.loading')} /> : null}
          <table class="table">
            <caption class="sr-only">{t('acct.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('acct.device')}</th>
                <th scope="col">{t('acct.ip')}</th>
                <th scope="col">{t('acct.signedIn')}</th>
                <th scope="col">{t('acct.lastActive')}</th>
                <th scope="col">{t('acct.expires')}</th>
                <th scope="col">
                  <span class="sr-only">{t('acct.action')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).map((s) => (
                <tr key={s.id} class={s.isCurrent ? 'row-current' : ''}>
                  <td>
                    <strong>{s.deviceInfo.deviceName || s.deviceInfo.browser}</strong>
                    <div class="muted small">
                      {s.deviceInfo.browser} · {s.deviceInfo.os} · {s.deviceInfo.deviceType}
                    </div>
                    {s.isCurrent ? <span class="flag flag-current">{t('acct.thisDevice')}</span> : null}
                  </td>
                  <td class="num">{s.ipAddress || '—'}</td>
                  <td>{shortDateTime(s.createdAt)}</td>
                  <td>{shortDateTime(s.lastActivity)}</td>
                  <td>{shortDateTime(s.expiresAt)}</td>
                  <td>
                    {s.isCurrent ? (
                      <span class="muted small">{t('acct.current')}</span>
                    ) : (
                      <button type="button" class="btn btn-small" onClick={() => void revoke(s.id)} aria-label={t('acct.signOutAria', { device: s.deviceInfo.deviceName || s.deviceInfo.browser, ip: s.ipAddress })}>
                        {t('acct.signOut')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="stack">
          <div class="card">
            <h2>{t('acct.devices')}</h2>
            {stats.data ? (
              <>
                <ChartView
                  height="12rem"
                  testId="chart-device-types"
                  summary={t('acct.byType', { list: types.map(([k, v]) => `${k} ${v}`).join(', ') || t('acct.none') })}
                  config={{
                    type: 'doughnut',
                    data: { labels: types.map(([k]) => k), datasets: [{ data: types.map(([, v]) => v), backgroundColor: PALETTE }] },
                    options: { plugins: { legend: { position: 'right' } } },
                  }}
                />
                <p class="muted small">
                  {t('acct.stats', { active: stats.data.active, total: stats.data.total, avg: Math.round(stats.data.averageDurationSeconds / 60), day: stats.data.createdLast24h })}
                </p>
              </>
            ) : (
              <Loading />
            )}
          </div>
          <PasswordForm />
        </div>
      </div>
    </section>
  );
}

function PasswordForm() {
  useLang();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        const parsed = ChangePasswordRequest.safeParse({ currentPassword: current, newPassword: next });
        if (!parsed.success) return setMsg({ ok: false, text: parsed.error.issues.map((i) => i.message).join('; ') });
        try {
          const r = await api.post<{ token: string; expiresAt: string; user: { id: string; username: string; role: 'admin' | 'proctor' } }>('/auth/password', parsed.data);
          auth.set({ token: r.token, user: r.user, expiresAt: r.expiresAt });
          setCurrent('');
          setNext('');
          setMsg({ ok: true, text: t('acct.pwChanged') });
        } catch (err) {
          setMsg({ ok: false, text: messageOf(err) });
        }
      }}
    >
      <h2>{t('acct.changePw')}</h2>
      <label class="field">
        <span>{t('acct.currentPw')}</span>
        <input type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('acct.newPw')}</span>
        <input type="password" autocomplete="new-password" required minLength={12} value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </label>
      {msg ? (
        <p class={`note ${msg.ok ? 'note-ok' : 'note-error'}`} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      ) : null}
      <button type="submit" class="btn btn-primary">
        {t('acct.changePw')}
      </button>
    </form>
  );
}
