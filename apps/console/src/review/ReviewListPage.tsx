import type { ReviewSessionRow, ReviewSessionsResponse, SessionStatus } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { shortDateTime } from '../format.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { ErrorNote, Loading, PageHead } from '../ui/bits.tsx';
import { SessionStatusBadge } from './status-badge.tsx';
import { useDirectory } from '../directory.ts';

const STATUSES: SessionStatus[] = ['active', 'paused', 'completed', 'expired', 'terminated'];

/** The session browser: every attempt in your scope, live and finished, with filters and search. */
export function ReviewListPage() {
  const { search } = useLocation();
  const [q, setQ] = useState(search.get('q') ?? '');
  const [status, setStatus] = useState(search.get('status') ?? '');
  const [sealed, setSealed] = useState(search.get('sealed') ?? '');
  const [examId, setExamId] = useState(search.get('examId') ?? '');
  const [centerId, setCenterId] = useState(search.get('centerId') ?? '');
  const [rows, setRows] = useState<ReviewSessionRow[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [applied, setApplied] = useState({ q, status, sealed, examId, centerId });
  const dir = useDirectory();

  const load = async (more: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const r = await api.get<ReviewSessionsResponse>('/review/sessions', { q: applied.q.trim(), status: applied.status, sealed: applied.sealed, examId: applied.examId, centerId: applied.centerId, limit: 50, cursor: more ? cursor : undefined });
      setRows((old) => (more ? [...old, ...r.sessions] : r.sessions));
      setTotal(r.total);
      setCursor(r.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(false);
  }, [applied]);

  return (
    <section>
      <PageHead title="Review" sub="Every exam session in your scope, live and finished. Open one for its timeline, answers and archive." />
      <form
        class="filters card"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const next = { q, status, sealed, examId, centerId };
          setApplied(next);
          const qs = new URLSearchParams(Object.entries(next).filter(([, v]) => v));
          history.replaceState(null, '', `${location.pathname}${qs.size ? `?${qs}` : ''}`);
        }}
      >
        <label class="field field-inline">
          <span>Search</span>
          <input type="search" name="q" placeholder="Candidate id or name, session or attempt id" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label class="field field-inline">
          <span>Status</span>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]!.toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </label>
        {dir.exams.length ? (
          <label class="field field-inline">
            <span>Exam</span>
            <select value={examId} onChange={(e) => setExamId(e.currentTarget.value)}>
              <option value="">All exams</option>
              {dir.exams.map(([id, title]) => (
                <option key={id} value={id}>
                  {title}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {dir.centers.length ? (
          <label class="field field-inline">
            <span>Center</span>
            <select value={centerId} onChange={(e) => setCenterId(e.currentTarget.value)}>
              <option value="">All centers</option>
              {dir.centers.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label class="field field-inline">
          <span>Archive</span>
          <select value={sealed} onChange={(e) => setSealed(e.currentTarget.value)}>
            <option value="">Sealed or not</option>
            <option value="true">Sealed</option>
            <option value="false">Not sealed yet</option>
          </select>
        </label>
        <button type="submit" class="btn btn-primary">
          Apply
        </button>
      </form>
      <ErrorNote error={error} />
      <p class="muted" role="status">
        {loading ? 'Loading…' : `${total} session${total === 1 ? '' : 's'}${rows.length < total ? `, showing ${rows.length}` : ''}`}
      </p>
      <div class="card table-card">
        <table class="table">
          <caption class="sr-only">Exam sessions</caption>
          <thead>
            <tr>
              <th scope="col">Candidate</th>
              <th scope="col">Exam</th>
              <th scope="col">Status</th>
              <th scope="col">Place</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Score</th>
              <th scope="col">Alerts</th>
              <th scope="col">Archive</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.attemptId} class="row-link" onClick={(e) => (e.target as HTMLElement).closest('a') || navigate(`/review/${encodeURIComponent(r.attemptId)}`)}>
                <td>
                  <Link href={`/review/${encodeURIComponent(r.attemptId)}`}>{r.candidate.name || r.candidate.id}</Link>
                  <div class="muted small">{r.candidate.id}</div>
                </td>
                <td>{r.exam.title}</td>
                <td>
                  <SessionStatusBadge status={r.status} isLocked={r.isLocked} />
                </td>
                <td>
                  {r.seat ? <strong>{r.seat}</strong> : '—'}
                  <div class="muted small">{[dir.center(r.centerId), dir.room(r.roomId)].filter(Boolean).join(' · ')}</div>
                </td>
                <td class="num">{shortDateTime(r.startedAt)}</td>
                <td class="num">{shortDateTime(r.endedAt)}</td>
                <td class="num">{r.score === null ? '—' : `${r.score} / ${r.maxScore}`}</td>
                <td class="num">{r.alertCount ? `${r.alertCount}${r.openAlertCount ? ` (${r.openAlertCount} open)` : ''}` : '—'}</td>
                <td>{r.sealed ? <span class="flag flag-sealed">Sealed</span> : <span class="muted small">not yet</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!loading && rows.length === 0 ? <p class="empty">No session matches.</p> : null}
        {loading && rows.length === 0 ? <Loading what="sessions" /> : null}
      </div>
      {cursor ? (
        <p>
          <button type="button" class="btn" disabled={loading} onClick={() => void load(true)}>
            Load more
          </button>
        </p>
      ) : null}
    </section>
  );
}
