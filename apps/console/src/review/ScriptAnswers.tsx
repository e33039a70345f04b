import type { ArchiveQuestion, ReviewDetail, ReviewMarking } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { formatDateTime, t, useLang } from '../i18n/index.ts';

type Detail = ReviewDetail;

/** Every question in the exam's order: its text, the options (chosen ones marked), the answer or "unanswered", points. */
export function ScriptAnswers(props: { detail: Detail; canMark: boolean; onMarked?: (m: ReviewMarking) => void; attemptId: string }) {
  useLang();
  const { detail } = props;
  const a = detail.archive;
  const questions: ArchiveQuestion[] = detail.questions ?? a.questions ?? [];
  const answers = new Map(a.answers.map((x) => [x.questionId, x]));
  const outcome = new Map(a.scoring.questions.map((q) => [q.questionId, q]));
  const marks = new Map((detail.marking?.marks ?? []).map((m) => [m.questionId, m]));
  const unanswered = questions.filter((q) => {
    const v = answers.get(q.id)?.value;
    return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  });
  return (
    <div class="script">
      {unanswered.length ? (
        <p class="note" data-testid="unanswered">
          {t('script.unanswered', { n: unanswered.length, list: unanswered.map((q) => questions.indexOf(q) + 1).join(', ') })}
        </p>
      ) : null}
      <ol class="script-questions">
        {questions.map((q, i) => {
          const ans = answers.get(q.id);
          const v = ans?.value;
          const o = outcome.get(q.id);
          const mk = marks.get(q.id);
          const chosen = new Set(Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
          const isUnanswered = unanswered.includes(q);
          const awarded = o?.awarded ?? mk?.points ?? null;
          return (
            <li key={q.id} class={`script-q${isUnanswered ? ' is-unanswered' : ''}`} data-question={q.id}>
              <div class="script-q-head">
                <h3>
                  {t('script.question', { n: i + 1 })} <span class="muted small mono">{q.id}</span>
                </h3>
                <span class="script-points num">{awarded === null ? t('script.pointsOpen', { max: q.points }) : t('script.points', { got: awarded, max: q.points })}</span>
              </div>
              <p class="script-prompt">{q.prompt}</p>
              {q.options ? (
                <ul class="script-options">
                  {q.options.map((opt) => (
                    <li key={opt.id} class={chosen.has(opt.id) ? 'is-chosen' : ''}>
                      <span aria-hidden="true">{chosen.has(opt.id) ? (q.type === 'multiple' ? '☑' : '◉') : q.type === 'multiple' ? '☐' : '○'}</span> {opt.label}
                      {chosen.has(opt.id) ? <span class="sr-only"> ({t('script.chosen')})</span> : null}
                      {q.correct?.includes(opt.id) ? <span class="muted small"> · {t('script.key')}</span> : null}
                    </li>
                  ))}
                </ul>
              ) : (
                <blockquote class="script-text">{typeof v === 'string' && v ? v : <em>{t('script.noAnswer')}</em>}</blockquote>
              )}
              {isUnanswered ? <p class="warn-text small">{t('script.notAnswered')}</p> : null}
              {ans ? <p class="muted small">{t('script.saved', { at: formatDateTime(ans.savedAt, {}, { seconds: true }), n: ans.clientSeq })}</p> : null}
              {o?.outcome === 'needs_review' ? (
                <MarkBox attemptId={props.attemptId} question={q} mark={mk ?? null} canMark={props.canMark && detail.sealed} onMarked={props.onMarked} />
              ) : o ? (
                <p class="small">{t(`outcome.${o.outcome}`)}</p>
              ) : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function MarkBox(props: { attemptId: string; question: ArchiveQuestion; mark: ReviewMarking['marks'][number] | null; canMark: boolean; onMarked?: (m: ReviewMarking) => void }) {
  const { question: q, mark } = props;
  const [points, setPoints] = useState(mark ? String(mark.points) : '');
  const [comment, setComment] = useState(mark?.comment ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div class="mark-box">
      {mark ? (
        <p class="small">
          <strong>{t('mark.given', { points: mark.points, max: q.points })}</strong> · {t('mark.by', { who: mark.markedBy, at: formatDateTime(mark.markedAt) })}
          {mark.comment ? <span class="mark-comment"> — “{mark.comment}”</span> : null}
        </p>
      ) : (
        <p class="small warn-text">{t('mark.none')}</p>
      )}
      {props.canMark ? (
        <form
          class="mark-form no-print"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            setBusy(true);
            try {
              const r = await api.put<ReviewMarking>(`/review/sessions/${encodeURIComponent(props.attemptId)}/marks/${encodeURIComponent(q.id)}`, { points: Number(points), ...(comment.trim() ? { comment: comment.trim() } : {}) });
              props.onMarked?.(r);
            } catch (err) {
              setError(messageOf(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          <label class="field field-inline">
            <span>{t('mark.points', { max: q.points })}</span>
            <input type="number" min={0} max={q.points} step="any" required value={points} onInput={(e) => setPoints(e.currentTarget.value)} />
          </label>
          <label class="field q-grow">
            <span>{t('mark.comment')}</span>
            <input maxLength={5000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('mark.save')}
          </button>
          {error ? (
            <p class="note note-error" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}

/** Totals with manual marks, and what is still unmarked. */
export function MarkingTotals(props: { marking: ReviewMarking | null | undefined; questions: ArchiveQuestion[] }) {
  useLang();
  const m = props.marking;
  if (!m) return <p class="muted">{t('marking.live')}</p>;
  const nOf = (id: string) => props.questions.findIndex((q) => q.id === id) + 1;
  return (
    <div data-testid="marking-totals">
      {!m.valid ? (
        <p class="note note-error" role="alert">
          {t('marking.invalid', { reason: m.reason ?? '' })}
        </p>
      ) : null}
      <p class="marking-total">
        <strong class="num">{t('marking.total', { score: m.score, max: m.maxScore })}</strong>{' '}
        <span class="muted small">{t('marking.split', { auto: m.autoScore, manual: m.manualScore })}</span>
      </p>
      <p class={m.complete ? 'note note-ok' : 'note'}>{m.complete ? t('marking.complete') : t('marking.unmarked', { n: m.unmarked.length, list: m.unmarked.map(nOf).join(', ') })}</p>
    </div>
  );
}
