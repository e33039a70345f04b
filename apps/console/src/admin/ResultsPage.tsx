import type { ExamResults } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, auth, parseError, url } from '../api.ts';
import { t, useLang } from '../i18n/index.ts';
import { Link } from '../router.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';

/** Fetches a file with this tab's token and hands it to the browser as a download. */
async function download(path: string, name: string): Promise<void> {
  const res = await fetch(url(path), { headers: { authorization: `Bearer ${auth.token()}` } });
  if (!res.ok) throw await parseError(res);
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

const num = (v: number | null) => (v === null ? '—' : String(v));

/** Results of an exam: one row per candidate, one column per question; CSV and XLSX downloads. */
export function ResultsPage(props: { examId: string }) {
  useLang();
  const id = encodeURIComponent(props.examId);
  const res = useLoad((signal) => api.get<ExamResults>(`/admin/exams/${id}/results`, undefined, signal), [id]);
  const [error, setError] = useState<unknown>(null);
  if (res.error && !res.data) return <ErrorNote error={res.error} />;
  if (!res.data) return <Loading what="the results" />;
  const r = res.data;
  const base = `results-${r.exam.code}`;
  return (
    <section>
      <p class="crumbs">
        <Link href={`/admin/exams/${id}`}>{t('results.back')}</Link>
      </p>
      <PageHead title={t('results.title', { title: r.exam.title })} sub={t('results.sub')}>
        <button type="button" class="btn" onClick={() => download(`/admin/exams/${id}/results?format=csv`, `${base}.csv`).catch(setError)}>
          {t('results.csv')}
        </button>
        <button type="button" class="btn btn-primary" onClick={() => download(`/admin/exams/${id}/results?format=xlsx`, `${base}.xlsx`).catch(setError)}>
          {t('results.xlsx')}
        </button>
      </PageHead>
      <ErrorNote error={error} />
      <div class="card table-card scroll-table" tabIndex={0} role="region" aria-label={t('results.title', { title: r.exam.title })}>
        <table class="table" data-testid="results">
          <caption class="sr-only">{t('results.title', { title: r.exam.title })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('results.candidate')}</th>
              <th scope="col">{t('results.status')}</th>
              {r.questions.map((q, i) => (
                <th key={q.id} scope="col" class="num" title={q.prompt}>
                  {i + 1} <span class="muted small">/{q.points}</span>
                </th>
              ))}
              <th scope="col" class="num">
                {t('results.total')}
              </th>
              <th scope="col" class="num">
                {t('results.unmarked')}
              </th>
              <th scope="col">{t('results.extra')}</th>
              <th scope="col">{t('results.incident')}</th>
            </tr>
          </thead>
          <tbody>
            {r.rows.map((x) => (
              <tr key={x.candidateId}>
                <td>
                  {x.attemptId ? <Link href={`/review/${encodeURIComponent(x.attemptId)}`}>{x.name}</Link> : x.name} <span class="muted small mono">{x.candidateId}</span>
                </td>
                <td>{x.status.replace(/_/g, ' ')}</td>
                {x.points.map((p, i) => (
                  <td key={i} class="num">
                    {num(p)}
                  </td>
                ))}
                <td class="num">
                  <strong>{x.total === null ? '—' : `${x.total} / ${x.maxScore}`}</strong>
                </td>
                <td class={`num${x.unmarked ? ' warn-text' : ''}`}>{x.unmarked}</td>
                <td class="small">
                  {x.plannedExtraMinutes} / {x.extensionMinutes} min
                </td>
                <td class="small">{x.incidentMinutes} min</td>
              </tr>
            ))}
          </tbody>
        </table>
        {r.rows.length === 0 ? <p class="empty">{t('results.none')}</p> : null}
      </div>
    </section>
  );
}
