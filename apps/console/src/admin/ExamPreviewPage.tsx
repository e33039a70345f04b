import type { CandidateExamView } from '@invigil/contract';
import { api } from '../api.ts';
import { t, useLang } from '../i18n/index.ts';
import { Link } from '../router.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';

/** The exam as a candidate will see it (no scoring keys), inputs live but nothing saved. */
export function ExamPreviewPage(props: { examId: string }) {
  useLang();
  const id = encodeURIComponent(props.examId);
  const exam = useLoad((signal) => api.get<CandidateExamView>(`/admin/exams/${id}/preview`, undefined, signal), [id]);
  if (exam.error && !exam.data) return <ErrorNote error={exam.error} />;
  if (!exam.data) return <Loading what={t('exam.loading')} />;
  const e = exam.data;
  return (
    <section class="preview">
      <p class="crumbs">
        <Link href={`/admin/exams/${id}`}>{t('preview.back')}</Link>
      </p>
      <PageHead title={t('preview.title', { title: e.title })} sub={t('preview.sub', { minutes: e.durationMinutes })} />
      {e.questions.length === 0 ? <p class="empty">{t('preview.none')}</p> : null}
      <ol class="preview-questions">
        {e.questions.map((q, i) => (
          <li key={q.id} class="card preview-q">
            <h2 class="preview-prompt">
              {i + 1}. {q.prompt}
              {q.points !== undefined ? <span class="muted small"> · {t('preview.points', { n: q.points })}</span> : null}
            </h2>
            {q.type === 'text' ? (
              <label class="field">
                <span>{t('preview.answer')}</span>
                <textarea rows={4} />
              </label>
            ) : (
              <fieldset>
                <legend class="sr-only">{q.prompt}</legend>
                {(q.options ?? []).map((o) => (
                  <label key={o.id} class="preview-option">
                    <input type={q.type === 'single' ? 'radio' : 'checkbox'} name={`q-${q.id}`} value={o.id} /> {o.label}
                  </label>
                ))}
              </fieldset>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
