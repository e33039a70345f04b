import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { t, useLang, type MessageKey } from '../i18n/index.ts';

const CHECKS: [string, MessageKey][] = [
  ['virtual-machine', 'waive.vm'],
  ['displays', 'waive.displays'],
  ['processes', 'waive.processes'],
  ['clock', 'waive.clock'],
  ['storage', 'waive.storage'],
  ['server', 'waive.server'],
];

/** A failed pre-exam check has a staff path: let the candidate start anyway, with a reason (audited, shown in review). */
export function WaiverDialog(props: { examId: string; candidateId: string; label: string; onClose: () => void; onDone: (text: string) => void }) {
  useLang();
  const [checks, setChecks] = useState<string[]>(['virtual-machine']);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={t('waive.title', { name: props.label })} onClose={props.onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (checks.length === 0) return setError(t('waive.choose'));
          setBusy(true);
          setError(null);
          try {
            await api.post(`/proctor/exams/${encodeURIComponent(props.examId)}/candidates/${encodeURIComponent(props.candidateId)}/check-waiver`, { reason, checks });
            props.onDone(`${props.label} may start despite the failed check${checks.length === 1 ? '' : 's'}`);
            props.onClose();
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <p class="muted">{t('waive.explain')}</p>
        <fieldset class="field">
          <legend>{t('waive.legend')}</legend>
          {CHECKS.map(([id, label]) => (
            <label key={id} class="check-row">
              <input type="checkbox" checked={checks.includes(id)} onChange={(e) => setChecks((c) => (e.currentTarget.checked ? [...c, id] : c.filter((x) => x !== id)))} /> {t(label)}
            </label>
          ))}
        </fieldset>
        <label class="field">
          <span>{t('waive.reason')}</span>
          <textarea required minLength={3} maxLength={1000} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder={t('waive.placeholder')} />
        </label>
        {error ? (
          <p class="note note-error" role="alert">
            {error}
          </p>
        ) : null}
        <div class="dialog-actions">
          <button type="button" class="btn btn-quiet" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('waive.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
