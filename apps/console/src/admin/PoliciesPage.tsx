import { RolePolicy, type RolePolicies } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { t, useLang } from '../i18n/index.ts';

type Role = 'admin' | 'proctor' | 'candidate';
const ROLES: Role[] = ['admin', 'proctor', 'candidate'];

/** Login-session policy per role: idle and absolute timeouts, session limit, what happens at the limit. */
export function PoliciesPage() {
  useLang();
  const data = useLoad((signal) => api.get<RolePolicies>('/admin/policies/roles', undefined, signal), []);
  return (
    <section>
      <PageHead title={t('pol.title')} sub={t('pol.sub')} />
      <ErrorNote error={data.error} />
      {!data.data ? (
        <Loading what={t('pol.loading')} />
      ) : (
        <div class="chart-grid">
          {ROLES.map((r) => (data.data![r] ? <PolicyForm key={r} role={r} policy={data.data![r]!} /> : null))}
        </div>
      )}
    </section>
  );
}

function PolicyForm(props: { role: Role; policy: RolePolicy }) {
  const [p, setP] = useState({
    idleTimeoutMinutes: String(props.policy.idleTimeoutMinutes),
    absoluteTimeoutMinutes: String(props.policy.absoluteTimeoutMinutes),
    maxSessions: String(props.policy.maxSessions),
    onLimit: props.policy.onLimit,
    denyWhileExamActive: props.policy.denyWhileExamActive,
  });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const title = t(`pol.${props.role}`);
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        const parsed = RolePolicy.safeParse({ ...p, idleTimeoutMinutes: Number(p.idleTimeoutMinutes), absoluteTimeoutMinutes: Number(p.absoluteTimeoutMinutes), maxSessions: Number(p.maxSessions) });
        if (!parsed.success) return setMsg({ ok: false, text: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        try {
          await api.put(`/admin/policies/roles/${props.role}`, parsed.data);
          setMsg({ ok: true, text: t('pol.saved') });
        } catch (err) {
          setMsg({ ok: false, text: messageOf(err) });
        }
      }}
    >
      <h2>{title}</h2>
      <label class="field">
        <span>{t('pol.idle')}</span>
        <input type="number" min={1} required value={p.idleTimeoutMinutes} onInput={(e) => setP({ ...p, idleTimeoutMinutes: e.currentTarget.value })} />
      </label>
      <label class="field">
        <span>{t('pol.absolute')}</span>
        <input type="number" min={1} required value={p.absoluteTimeoutMinutes} onInput={(e) => setP({ ...p, absoluteTimeoutMinutes: e.currentTarget.value })} />
      </label>
      <label class="field">
        <span>{t('pol.max')}</span>
        <input type="number" min={1} max={100} required value={p.maxSessions} onInput={(e) => setP({ ...p, maxSessions: e.currentTarget.value })} />
      </label>
      <label class="field">
        <span>{t('pol.atLimit')}</span>
        <select value={p.onLimit} onChange={(e) => setP({ ...p, onLimit: e.currentTarget.value as RolePolicy['onLimit'] })}>
          <option value="terminate_oldest">{t('pol.endOldest')}</option>
          <option value="deny_new">{t('pol.denyNew')}</option>
        </select>
      </label>
      {props.role === 'candidate' ? (
        <label class="check field">
          <input type="checkbox" checked={p.denyWhileExamActive} onChange={(e) => setP({ ...p, denyWhileExamActive: e.currentTarget.checked })} />
          <span>{t('pol.denyWhileExam')}</span>
        </label>
      ) : null}
      {msg ? (
        <p class={`note ${msg.ok ? 'note-ok' : 'note-error'}`} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      ) : null}
      <button type="submit" class="btn btn-primary">
        {t('pol.save', { title: title.toLowerCase() })}
      </button>
    </form>
  );
}
