import { CreateExamRequest, type AdminExam, type AdminExamSummary } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { shortDateTime } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';

export const EXAM_STATUS_TEXT = { draft: 'Draft', open: 'Open', closed: 'Closed' } as const;

/** Exams: list with status and counts, create, open/close. */
export function ExamsPage() {
  const list = useLoad((signal) => api.get<{ exams: AdminExamSummary[]; total: number }>('/admin/exams', { limit: 200 }, signal), []);
  const [title, setTitle] = useState('');
  const [duration, setDuration] = useState('90');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');

  const setStatus = async (e: AdminExamSummary, action: 'open' | 'close') => {
    setError(null);
    try {
      await api.post<AdminExam>(`/admin/exams/${encodeURIComponent(e.id)}/${action}`);
      setNote(`${e.title}: ${action === 'open' ? 'opened' : 'closed'}.`);
      list.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <section>
      <PageHead title="Exams" sub="Create an exam, edit its questions, open it for candidates and close it." />
      <div class="two-col">
        <div class="card table-card">
          <p class="sr-only" role="status">
            {note}
          </p>
          {error ? (
            <p class="note note-error" role="alert">
              {error}
            </p>
          ) : null}
          <ErrorNote error={list.error} />
          {list.loading && !list.data ? <Loading what="exams" /> : null}
          <table class="table">
            <caption class="sr-only">Exams</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Questions</th>
                <th scope="col">Candidates</th>
                <th scope="col">Sessions</th>
                <th scope="col">Window</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(list.data?.exams ?? []).map((e) => (
                <tr key={e.id}>
                  <td>
                    <Link href={`/admin/exams/${encodeURIComponent(e.id)}`}>{e.title}</Link>
                    <div class="muted small mono">{e.id.slice(0, 8)}</div>
                  </td>
                  <td>
                    <span class={`flag exam-${e.status}`}>{EXAM_STATUS_TEXT[e.status]}</span>
                  </td>
                  <td class="num">{e.durationMinutes} min</td>
                  <td class="num">{e.questionCount}</td>
                  <td class="num">{e.registrationCount}</td>
                  <td class="num">{e.sessionCount}</td>
                  <td class="small">{e.opensAt || e.closesAt ? `${shortDateTime(e.opensAt)} → ${shortDateTime(e.closesAt)}` : 'any time'}</td>
                  <td class="nowrap">
                    {e.status !== 'open' ? (
                      <button type="button" class="btn btn-small" onClick={() => void setStatus(e, 'open')} aria-label={`Open ${e.title}`}>
                        Open
                      </button>
                    ) : (
                      <button type="button" class="btn btn-small" onClick={() => void setStatus(e, 'close')} aria-label={`Close ${e.title}`}>
                        Close
                      </button>
                    )}{' '}
                    <Link href={`/admin/roster?exam=${encodeURIComponent(e.id)}`} class="btn btn-small btn-quiet">
                      Roster
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data && list.data.exams.length === 0 ? <p class="empty">No exams yet.</p> : null}
        </div>
        <form
          class="card"
          onSubmit={async (ev) => {
            ev.preventDefault();
            setError(null);
            const parsed = CreateExamRequest.safeParse({ title, durationMinutes: Number(duration), questions: [] });
            if (!parsed.success) return setError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
            try {
              const created = await api.post<AdminExam>('/admin/exams', parsed.data);
              navigate(`/admin/exams/${encodeURIComponent(created.id)}`);
            } catch (err) {
              setError(messageOf(err));
            }
          }}
        >
          <h2>New exam</h2>
          <label class="field">
            <span>Title</span>
            <input required maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Duration (minutes)</span>
            <input type="number" required min={1} max={1440} value={duration} onInput={(e) => setDuration(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn btn-primary">
            Create and add questions
          </button>
        </form>
      </div>
    </section>
  );
}
