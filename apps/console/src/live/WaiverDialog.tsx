import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { Dialog } from '../ui/Dialog.tsx';

const CHECKS: [string, string][] = [
  ['virtual-machine', 'Physical computer (virtual machine suspected)'],
  ['displays', 'Displays (more than one)'],
  ['processes', 'Other programs'],
  ['clock', 'Clock'],
  ['storage', 'Saving answers'],
  ['server', 'Exam server'],
];

/** A failed pre-exam check has a staff path: let the candidate start anyway, with a reason (audited, shown in review). */
export function WaiverDialog(props: { examId: string; candidateId: string; label: string; onClose: () => void; onDone: (text: string) => void }) {
  const [checks, setChecks] = useState<string[]>(['virtual-machine']);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={`Allow ${props.label} to start`} onClose={props.onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (checks.length === 0) return setError('Choose the check(s) that failed.');
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
        <p class="muted">The kiosk’s checks are evidence for you, never a dead end. The candidate’s kiosk learns of this at once and lets them start; the review shows it.</p>
        <fieldset class="field">
          <legend>Failed check(s) to waive</legend>
          {CHECKS.map(([id, label]) => (
            <label key={id} class="check-row">
              <input type="checkbox" checked={checks.includes(id)} onChange={(e) => setChecks((c) => (e.currentTarget.checked ? [...c, id] : c.filter((x) => x !== id)))} /> {label}
            </label>
          ))}
        </fieldset>
        <label class="field">
          <span>Reason (audited)</span>
          <textarea required minLength={3} maxLength={1000} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="e.g. lab PCs are virtual desktops; checked by IT" />
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
            Allow the start
          </button>
        </div>
      </form>
    </Dialog>
  );
}
