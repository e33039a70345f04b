import type { KioskError } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { invoke, type KioskBridge } from '../kiosk-api.ts';
import { ErrorNote, Screen } from './Screen.tsx';

/**
 * Before the server address can be changed: the staff code (the kiosk's quit code, checked by
 * main with the same rate limit as quitting). The agent then allows one change for a few minutes.
 */
export function StaffCodeScreen(props: { k: KioskBridge; onOk: () => void; onCancel?: (() => void) | undefined }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    if (!code) return setError({ code: 'VALIDATION_FAILED', message: 'Enter the staff code.' });
    setBusy(true);
    setError(null);
    const r = await invoke(props.k, 'authorizeStaff', { unlockCode: code, action: 'configure' });
    setBusy(false);
    setCode('');
    if (r.ok) return props.onOk();
    setError(r.error);
  }

  return (
    <Screen title="Staff code needed" lead="Only exam staff may change the exam server this computer uses. Enter the staff code to continue.">
      <form onSubmit={submit} noValidate>
        <label class="field">
          <span>Staff code</span>
          <input name="staffCode" type="password" autoComplete="off" value={code} onInput={(e) => setCode(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'staff-code-error' : undefined} />
        </label>
        <ErrorNote error={error} id="staff-code-error" />
        <div class="actions">
          {props.onCancel ? (
            <button type="button" class="btn" onClick={props.onCancel} disabled={busy}>
              Cancel
            </button>
          ) : null}
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Checking…' : 'Continue'}
          </button>
        </div>
      </form>
    </Screen>
  );
}
