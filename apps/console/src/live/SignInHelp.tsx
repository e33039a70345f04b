import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { t, useLang } from '../i18n/index.ts';

/**
 * "A candidate cannot sign in": wrong access codes (theirs, or a neighbour guessing their id from
 * the same hall address) make a candidate wait longer and longer; a proctor lifts that here.
 */
export function SignInHelp(props: { exams: string[]; examName: (id: string) => string }) {
  useLang();
  const [examId, setExamId] = useState(props.exams[0] ?? '');
  const [candidateId, setCandidateId] = useState('');
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  if (props.exams.length === 0) return null;
  const exam = props.exams.includes(examId) ? examId : props.exams[0]!;
  return (
    <details class="sign-in-help">
      <summary>{t('signIn.summary')}</summary>
      <form
        class="filters"
        onSubmit={async (e) => {
          e.preventDefault();
          setNote(null);
          try {
            await api.del(`/proctor/exams/${encodeURIComponent(exam)}/candidates/${encodeURIComponent(candidateId.trim())}/login-throttle`);
            setNote({ ok: true, text: t('signIn.done', { id: candidateId.trim() }) });
          } catch (err) {
            setNote({ ok: false, text: messageOf(err) });
          }
        }}
      >
        <label class="field field-inline field-row">
          <span>{t('signIn.candidateId')}</span>
          <input required value={candidateId} onInput={(e) => setCandidateId(e.currentTarget.value)} />
        </label>
        {props.exams.length > 1 ? (
          <label class="field field-inline field-row">
            <span>{t('signIn.exam')}</span>
            <select value={exam} onChange={(e) => setExamId(e.currentTarget.value)}>
              {props.exams.map((x) => (
                <option key={x} value={x}>
                  {props.examName(x)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit" class="btn btn-small">
          {t('signIn.lift')}
        </button>
      </form>
      {note ? (
        <p class={`note ${note.ok ? 'note-ok' : 'note-error'}`} role="status">
          {note.text}
        </p>
      ) : null}
    </details>
  );
}
