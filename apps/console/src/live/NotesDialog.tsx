import type { Note } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { time } from '../format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { t, useLang } from '../i18n/index.ts';

/**
 * The incident log of a room: notes about the room or one candidate, with time and author. Notes
 * are append-only: they are added, never edited or removed.
 */
export function NotesDialog(props: { roomId: string; roomName: string; examId?: string; candidates: { attemptId: string; label: string }[]; attemptId?: string; onClose: () => void }) {
  useLang();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [about, setAbout] = useState(props.attemptId ?? '');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    try {
      const r = await api.get<{ notes: Note[] }>('/proctor/notes', { roomId: props.roomId });
      setNotes(r.notes);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  useEffect(() => void load(), [props.roomId]);
  const who = (n: Note) => (n.attemptId ? (props.candidates.find((c) => c.attemptId === n.attemptId)?.label ?? n.candidateId ?? t('notes.someone')) : t('notes.room'));
  return (
    <Dialog title={t('notes.title', { room: props.roomName })} onClose={props.onClose} wide>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await api.post('/proctor/notes', about ? { attemptId: about, text } : { roomId: props.roomId, text, ...(props.examId ? { examId: props.examId } : {}) });
            setText('');
            await load();
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label class="field">
          <span>{t('notes.about')}</span>
          <select value={about} onChange={(e) => setAbout(e.currentTarget.value)}>
            <option value="">{t('notes.wholeRoom')}</option>
            {props.candidates.map((c) => (
              <option key={c.attemptId} value={c.attemptId}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('notes.note')}</span>
          <textarea required maxLength={4000} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        {error ? (
          <p class="note note-error" role="alert">
            {error}
          </p>
        ) : null}
        <div class="dialog-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('notes.add')}
          </button>
        </div>
      </form>
      <h3>{t('notes.log')}</h3>
      {notes === null ? <p class="muted">{t('ui.loadingPlain')}</p> : notes.length === 0 ? <p class="muted">{t('notes.none')}</p> : null}
      <ol class="notes-list" data-testid="notes-list">
        {(notes ?? []).map((n) => (
          <li key={n.id}>
            <span class="muted">
              <time dateTime={n.at}>{time(n.at)}</time> · {n.authorName} · {who(n)}
            </span>
            <p>{n.text}</p>
          </li>
        ))}
      </ol>
    </Dialog>
  );
}
