import { CreateStaffRequest, type Center, type Room, type StaffAccount, type StaffAssignment } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { shortDateTime } from '../format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { invalidateDirectory } from '../directory.ts';

/** Staff accounts: create, change role, disable, reset password, assign proctors to centers/rooms. */
export function StaffPage() {
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
      <PageHead title="Staff" sub="Admins see everything; proctors see the centers and rooms they are assigned to." />
      {msg ? (
        <p class={`note ${msg.ok ? 'note-ok' : 'note-error'}`} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      ) : null}
      <div class="two-col">
        <div class="card table-card">
          <ErrorNote error={staff.error} />
          {staff.loading && !staff.data ? <Loading what="staff" /> : null}
          <table class="table">
            <caption class="sr-only">Staff accounts</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Assignments</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(staff.data?.staff ?? []).map((u) => (
                <tr key={u.id}>
                  <td>
                    <strong>{u.displayName || u.username}</strong>
                    <div class="muted small">{u.username}</div>
                    {u.disabled ? <span class="flag flag-locked">Disabled</span> : null}
                  </td>
                  <td>{u.role}</td>
                  <td class="small">{u.role === 'admin' ? 'everything' : u.assignments.length ? `${u.assignments.length} place${u.assignments.length === 1 ? '' : 's'}` : <span class="warn-text">none: sees nothing</span>}</td>
                  <td class="small">{shortDateTime(u.createdAt)}</td>
                  <td class="nowrap">
                    {u.role === 'proctor' ? (
                      <button type="button" class="btn btn-small" onClick={() => setAssigning(u)}>
                        Assign…
                      </button>
                    ) : null}{' '}
                    <button
                      type="button"
                      class="btn btn-small"
                      onClick={() => void act(`${u.username} ${u.disabled ? 'enabled' : 'disabled'}.`, () => api.patch(`/admin/staff/${encodeURIComponent(u.id)}`, { disabled: !u.disabled }))}
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>{' '}
                    <button
                      type="button"
                      class="btn btn-small btn-quiet"
                      onClick={() => {
                        const pw = prompt(`New password for ${u.username} (at least 12 characters):`);
                        if (pw) void act(`Password of ${u.username} reset; their sessions ended.`, () => api.post(`/admin/staff/${encodeURIComponent(u.id)}/password`, { password: pw }));
                      }}
                    >
                      Reset password
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
            void act(`Account ${form.username} created.`, async () => {
              await api.post('/admin/staff', parsed.data);
              setForm({ username: '', displayName: '', password: '', role: 'proctor' });
            });
          }}
        >
          <h2>New staff account</h2>
          <label class="field">
            <span>Username</span>
            <input required autocomplete="off" value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>Display name</span>
            <input value={form.displayName} onInput={(e) => setForm({ ...form, displayName: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>Password (at least 12 characters)</span>
            <input type="password" autocomplete="new-password" required minLength={12} value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>Role</span>
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as 'proctor' | 'admin' })}>
              <option value="proctor">Proctor</option>
              <option value="admin">Admin</option>
            </select>
          </label>
          <button type="submit" class="btn btn-primary">
            Create account
          </button>
        </form>
      </div>
      {assigning ? (
        <AssignDialog
          user={assigning}
          onClose={() => setAssigning(null)}
          onSaved={(n) => {
            setAssigning(null);
            setMsg({ ok: true, text: `${assigning.username}: ${n} assignment${n === 1 ? '' : 's'} saved.` });
            staff.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function AssignDialog(props: { user: StaffAccount; onClose: () => void; onSaved: (n: number) => void }) {
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
    <Dialog title={`Assign ${props.user.username}`} onClose={props.onClose}>
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
        {!places && !error ? <Loading what="centers" /> : null}
        {places && places.length === 0 ? <p>No centers yet: create one first.</p> : null}
        <ul class="assign-list">
          {(places ?? []).map(({ center, rooms }) => (
            <li key={center.id}>
              <label class="check">
                <input type="checkbox" checked={picked.has(`${center.id}|`)} onChange={() => toggle(`${center.id}|`)} />
                <strong>{center.name}</strong> <span class="muted small">(whole center)</span>
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
            Cancel
          </button>
          <button type="submit" class="btn btn-primary">
            Save assignments
          </button>
        </div>
      </form>
    </Dialog>
  );
}
