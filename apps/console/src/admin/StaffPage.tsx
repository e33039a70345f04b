import { CreateStaffRequest, type Center, type Room, type StaffAccount, type StaffAssignment } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { shortDateTime } from '../format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { invalidateDirectory } from '../directory.ts';
import { t, useLang } from '../i18n/index.ts';

/** Staff accounts: create, change role, disable, reset password, assign proctors to centers/rooms. */
export function StaffPage() {
  useLang();
  const staff = useLoad((signal) => api.get<{ staff: StaffAccount[] }>('/admin/staff', undefined, signal), []);
  const [form, setForm] = useState({ username: '', displayName: '', password: '', role: 'proctor' as 'proctor' | 'admin' });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [assigning, setAssigning] = useState<StaffAccount | null>(null);

  const act = async (text: string, f: () => Promise<unknown>) => {
    setMsg(null);
    try {
      await f();
      invalidateDirectory();
      setMsg({ ok: true, text });
      staff.reload();
    } catch (e) {
      setMsg({ ok: false, text: messageOf(e) });
    }
  };

  return (
    <section>
      <PageHead title={t('staff.title')} sub={t('staff.sub')} />
      {msg ? (
        <p class={`note ${msg.ok ? 'note-ok' : 'note-error'}`} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      ) : null}
      <div class="two-col">
        <div class="card table-card">
          <ErrorNote error={staff.error} />
          {staff.loading && !staff.data ? <Loading what={t('staff.loading')} /> : null}
          <table class="table">
            <caption class="sr-only">{t('staff.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('staff.user')}</th>
                <th scope="col">{t('staff.role')}</th>
                <th scope="col">{t('staff.assignments')}</th>
                <th scope="col">{t('staff.created')}</th>
                <th scope="col">
                  <span class="sr-only">{t('staff.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(staff.data?.staff ?? []).map((u) => (
                <tr key={u.id}>
                  <td>
                    <strong>{u.displayName || u.username}</strong>
                    <div class="muted small">{u.username}</div>
                    {u.disabled ? <span class="flag flag-locked">{t('staff.disabled')}</span> : null}
                  </td>
                  <td>{t(`staff.role.${u.role}`)}</td>
                  <td class="small">{u.role === 'admin' ? t('staff.everything') : u.assignments.length ? (u.assignments.length === 1 ? t('staff.placeOne') : t('staff.places', { n: u.assignments.length })) : <span class="warn-text">{t('staff.nothing')}</span>}</td>
                  <td class="small">{shortDateTime(u.createdAt)}</td>
                  <td class="nowrap">
                    {u.role === 'proctor' ? (
                      <button type="button" class="btn btn-small" onClick={() => setAssigning(u)}>
                        {t('staff.assign')}
                      </button>
                    ) : null}{' '}
                    <button
                      type="button"
                      class="btn btn-small"
                      onClick={() => void act(u.disabled ? t('staff.enabledMsg', { user: u.username }) : t('staff.disabledMsg', { user: u.username }), () => api.patch(`/admin/staff/${encodeURIComponent(u.id)}`, { disabled: !u.disabled }))}
                    >
                      {u.disabled ? t('staff.enable') : t('staff.disable')}
                    </button>{' '}
                    <button
                      type="button"
                      class="btn btn-small btn-quiet"
                      onClick={() => {
                        const pw = prompt(t('staff.pwPrompt', { user: u.username }));
                        if (pw) void act(t('staff.pwReset', { user: u.username }), () => api.post(`/admin/staff/${encodeURIComponent(u.id)}/password`, { password: pw }));
                      }}
                    >
                      {t('staff.resetPw')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            const parsed = CreateStaffRequest.safeParse({ ...form, ...(form.displayName.trim() ? {} : { displayName: undefined }) });
            if (!parsed.success) return setMsg({ ok: false, text: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
            void act(t('staff.createdMsg', { user: form.username }), async () => {
              await api.post('/admin/staff', parsed.data);
              setForm({ username: '', displayName: '', password: '', role: 'proctor' });
            });
          }}
        >
          <h2>{t('staff.new')}</h2>
          <label class="field">
            <span>{t('staff.username')}</span>
            <input required autocomplete="off" value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t('staff.displayName')}</span>
            <input value={form.displayName} onInput={(e) => setForm({ ...form, displayName: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t('staff.password')}</span>
            <input type="password" autocomplete="new-password" required minLength={12} value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t('staff.role')}</span>
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as 'proctor' | 'admin' })}>
              <option value="proctor">{t('staff.proctor')}</option>
              <option value="admin">{t('staff.admin')}</option>
            </select>
          </label>
          <button type="submit" class="btn btn-primary">
            {t('staff.create')}
          </button>
        </form>
      </div>
      {assigning ? (
        <AssignDialog
          user={assigning}
          onClose={() => setAssigning(null)}
          onSaved={(n) => {
            setAssigning(null);
            setMsg({ ok: true, text: n === 1 ? t('staff.savedOne', { user: assigning.username }) : t('staff.savedMany', { user: assigning.username, n }) });
            staff.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function AssignDialog(props: { user: StaffAccount; onClose: () => void; onSaved: (n: number) => void }) {
  useLang();
  const [places, setPlaces] = useState<{ center: Center; rooms: Room[] }[] | null>(null);
  const [picked, setPicked] = useState<Set<string>>(() => new Set(props.user.assignments.map((a) => `${a.centerId}|${a.roomId ?? ''}`)));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void (async () => {
      try {
        const { centers } = await api.get<{ centers: Center[] }>('/admin/centers');
        setPlaces(await Promise.all(centers.map(async (center) => ({ center, rooms: (await api.get<{ rooms: Room[] }>(`/admin/centers/${encodeURIComponent(center.id)}/rooms`)).rooms }))));
      } catch (e) {
        setError(messageOf(e));
      }
    })();
  }, []);
  const toggle = (key: string) => {
    const next = new Set(picked);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setPicked(next);
  };
  return (
    <Dialog title={t('staff.assignTitle', { user: props.user.username })} onClose={props.onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const assignments: StaffAssignment[] = [...picked].map((k) => {
            const [centerId, roomId] = k.split('|') as [string, string];
            return { centerId, roomId: roomId || null };
          });
          try {
            await api.put(`/admin/staff/${encodeURIComponent(props.user.id)}/assignments`, { assignments });
            props.onSaved(assignments.length);
          } catch (err) {
            setError(messageOf(err));
          }
        }}
      >
        {!places && !error ? <Loading what={t('staff.loadingCenters')} /> : null}
        {places && places.length === 0 ? <p>{t('staff.noCenters')}</p> : null}
        <ul class="assign-list">
          {(places ?? []).map(({ center, rooms }) => (
            <li key={center.id}>
              <label class="check">
                <input type="checkbox" checked={picked.has(`${center.id}|`)} onChange={() => toggle(`${center.id}|`)} />
                <strong>{center.name}</strong> <span class="muted small">{t('staff.wholeCenter')}</span>
              </label>
              <ul>
                {rooms.map((r) => (
                  <li key={r.id}>
                    <label class="check">
                      <input type="checkbox" disabled={picked.has(`${center.id}|`)} checked={picked.has(`${center.id}|${r.id}`) || picked.has(`${center.id}|`)} onChange={() => toggle(`${center.id}|${r.id}`)} />
                      {r.name}
                    </label>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
        {error ? (
          <p class="note note-error" role="alert">
            {error}
          </p>
        ) : null}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={props.onClose}>
            {t('staff.cancel')}
          </button>
          <button type="submit" class="btn btn-primary">
            {t('staff.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
