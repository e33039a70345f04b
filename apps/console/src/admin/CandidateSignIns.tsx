import type { LoginSession } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { time } from '../format.ts';
import { ErrorNote, useLoad } from '../ui/bits.tsx';
import { Dialog } from '../ui/Dialog.tsx';

/**
 * One candidate's sign-ins for an exam (a leaked access code: who is signed in with it, from
 * where): end one or all, or lift the sign-in delay that wrong codes put on the candidate.
 */
export function CandidateSignIns(props: { examId: string; candidateId: string; name: string; onClose: () => void }) {
  const base = `/admin/exams/${encodeURIComponent(props.examId)}/candidates/${encodeURIComponent(props.candidateId)}`;
  const list = useLoad((signal) => api.get<LoginSession[]>(`${base}/sessions`, undefined, signal), [base]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (what: () => Promise<string>) => {
    setError(null);
    setNote(null);
    try {
      setNote(await what());
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const sessions = list.data ?? [];
  return (
    <Dialog title={`Sign-ins of ${props.name || props.candidateId}`} onClose={props.onClose} wide>
      <ErrorNote error={list.error ?? error} />
      {note ? (
        <p class="note note-ok" role="status">
          {note}
        </p>
      ) : null}
      {list.data && sessions.length === 0 ? <p class="muted">Not signed in anywhere.</p> : null}
      {sessions.length ? (
        <table class="table">
          <caption class="sr-only">Live sign-ins</caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Address</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last activity</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((x) => (
              <tr key={x.id}>
                <td>{x.deviceInfo.deviceName || x.deviceInfo.deviceType}</td>
                <td class="mono">{x.ipAddress}</td>
                <td>{time(x.createdAt)}</td>
                <td>{time(x.lastActivity)}</td>
                <td>
                  <button type="button" class="btn btn-small" onClick={() => run(async () => (await api.del(`${base}/sessions/${encodeURIComponent(x.id)}`), 'Signed out on that device.'))}>
                    End
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div class="dialog-actions">
        <button type="button" class="btn btn-danger" disabled={sessions.length === 0} onClick={() => run(async () => `Ended ${(await api.del<{ revoked: number }>(`${base}/sessions`)).revoked} sign-in(s).`)}>
          End every sign-in
        </button>
        <button
          type="button"
          class="btn"
          onClick={() => run(async () => (await api.del(`/proctor/exams/${encodeURIComponent(props.examId)}/candidates/${encodeURIComponent(props.candidateId)}/login-throttle`), 'The sign-in delay is lifted: the candidate can sign in now.'))}
        >
          Lift sign-in delay
        </button>
      </div>
      <p class="muted small">A new access code (import the roster again with it) also ends every sign-in made with the old one.</p>
    </Dialog>
  );
}
