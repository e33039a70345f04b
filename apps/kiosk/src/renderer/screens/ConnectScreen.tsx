import type { KioskConfig, KioskError } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { invoke, type KioskBridge } from '../kiosk-api.ts';
import { ErrorNote, Screen } from '../ui/Screen.tsx';

/** Set up by staff before the exam: which server this computer uses, and its exam center. */
export function ConnectScreen(props: { k: KioskBridge; config: KioskConfig; onDone: (c: KioskConfig) => void; onCancel?: () => void }) {
  const [serverUrl, setServerUrl] = useState(props.config.serverUrl ?? '');
  const [centerId, setCenterId] = useState(props.config.centerId ?? '');
  const [examId, setExamId] = useState(props.config.examId ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);
  const [ok, setOk] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setOk(null);
    const r = await invoke(props.k, 'configure', { serverUrl, ...(centerId.trim() ? { centerId: centerId.trim() } : {}), ...(examId.trim() ? { examId: examId.trim() } : {}) });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setOk(`Connected to ${r.data.serverUrl}${r.data.serverVersion ? ` (Invigil ${r.data.serverVersion})` : ''}.`);
    props.onDone({ serverUrl: r.data.serverUrl, centerId: r.data.centerId, examId: r.data.examId ?? null });
  }

  return (
    <Screen title="Connect this computer" lead="For exam staff: enter the address of the exam server. The connection is tested before it is saved.">
      <form onSubmit={submit} noValidate>
        <label class="field">
          <span>Exam server address</span>
          <input
            name="serverUrl"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellcheck={false}
            placeholder="http://exam-server:8080"
            value={serverUrl}
            onInput={(e) => setServerUrl(e.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'connect-error' : undefined}
            required
          />
        </label>
        <label class="field">
          <span>
            Exam center <span class="optional">(optional)</span>
          </span>
          <input name="centerId" autoComplete="off" spellcheck={false} value={centerId} onInput={(e) => setCenterId(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>
            Exam at this desk <span class="optional">(optional)</span>
          </span>
          <input name="deskExamId" autoComplete="off" spellcheck={false} value={examId} onInput={(e) => setExamId(e.currentTarget.value)} aria-describedby="desk-exam-help" />
          <span class="small muted" id="desk-exam-help">
            The exam ID is filled in on the sign-in form, so each candidate types only their candidate ID and access code.
          </span>
        </label>
        <ErrorNote error={error} id="connect-error" />
        {ok ? (
          <p class="note note-ok" role="status">
            {ok}
          </p>
        ) : null}
        <div class="actions">
          {props.onCancel ? (
            <button type="button" class="btn" onClick={props.onCancel}>
              Cancel
            </button>
          ) : null}
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Testing the connection…' : 'Test and save'}
          </button>
        </div>
      </form>
    </Screen>
  );
}
