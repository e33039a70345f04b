import { CreateExamRequest, type AdminExam, type AdminExamSummary } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { formatDateTime, t, useLang } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { useCloseExam } from './close-exam.tsx';

export const examStatusText = (s: AdminExamSummary['status']) => t(`status.${s}`);

/** Exams: list with code, status and counts; create a draft; open/close. */
export function ExamsPage() {
  useLang();
  const list = useLoad((signal) => api.get<{ exams: AdminExamSummary[]; total: number }>('/admin/exams', { limit: 200 }, signal), []);
  const [title, setTitle] = useState('');
  const [duration, setDuration] = useState('90');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const closing = useCloseExam(
    (e) => {
      setNote(t('exams.closed', { title: e.title }));
      list.reload();
    },
    setError,
  );

  const open = async (e: AdminExamSummary) => {
    setError(null);
    try {
      await api.post<AdminExam>(`/admin/exams/${encodeURIComponent(e.id)}/open`);
      setNote(t('exams.opened', { title: e.title }));
      list.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <section>
      <PageHead title={t('exams.title')} sub={t('exams.sub')} />
      {closing.dialog}
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
          {list.loading && !list.data ? <Loading what={t('exams.loading')} /> : null}
          <table class="table">
            <caption class="sr-only">{t('exams.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('exams.col.title')}</th>
                <th scope="col">{t('exams.col.code')}</th>
                <th scope="col">{t('exams.col.status')}</th>
                <th scope="col">{t('exams.col.duration')}</th>
                <th scope="col">{t('exams.col.questions')}</th>
                <th scope="col">{t('exams.col.candidates')}</th>
                <th scope="col">{t('exams.col.sessions')}</th>
                <th scope="col">{t('exams.col.window')}</th>
                <th scope="col">
                  <span class="sr-only">{t('exams.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(list.data?.exams ?? []).map((e) => (
                <tr key={e.id}>
                  <td>
                    <Link href={`/admin/exams/${encodeURIComponent(e.id)}`}>{e.title}</Link>
                  </td>
                  <td>
                    <span class="exam-code">{e.code}</span>
                  </td>
                  <td>
                    <span class={`flag exam-${e.status}`}>{examStatusText(e.status)}</span>
                  </td>
                  <td class="num">{t('exams.minutes', { n: e.durationMinutes })}</td>
                  <td class="num">{e.questionCount}</td>
                  <td class="num">{e.registrationCount}</td>
                  <td class="num">{e.sessionCount}</td>
                  <td class="small">{e.opensAt || e.closesAt ? `${formatDateTime(e.opensAt, {}, { short: true })} → ${formatDateTime(e.closesAt, {}, { short: true })}` : t('exams.anyTime')}</td>
                  <td class="nowrap">
                    {e.status !== 'open' ? (
                      <button type="button" class="btn btn-small" onClick={() => void open(e)} aria-label={t('exams.openAria', { title: e.title })}>
                        {t('exams.open')}
                      </button>
                    ) : (
                      <button type="button" class="btn btn-small" onClick={() => void closing.close(e.id)} aria-label={t('exams.closeAria', { title: e.title })}>
                        {t('exams.close')}
                      </button>
                    )}{' '}
                    <Link href={`/admin/roster?exam=${encodeURIComponent(e.id)}`} class="btn btn-small btn-quiet">
                      {t('exams.roster')}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data && list.data.exams.length === 0 ? <p class="empty">{t('exams.none')}</p> : null}
        </div>
        <form
          class="card"
          onSubmit={async (ev) => {
            ev.preventDefault();
            setError(null);
            const parsed = CreateExamRequest.safeParse({ title, durationMinutes: Number(duration), questions: [], status: 'draft' });
            if (!parsed.success) return setError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
            try {
              const created = await api.post<AdminExam>('/admin/exams', parsed.data);
              navigate(`/admin/exams/${encodeURIComponent(created.id)}`);
            } catch (err) {
              setError(messageOf(err));
            }
          }}
        >
          <h2>{t('exams.new')}</h2>
          <label class="field">
            <span>{t('exams.field.title')}</span>
            <input required maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('exams.field.duration')}</span>
            <input type="number" required min={1} max={1440} value={duration} onInput={(e) => setDuration(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn btn-primary">
            {t('exams.create')}
          </button>
        </form>
      </div>
    </section>
  );
}
