import type { KioskError } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { invokeShell, type KioskBridge } from '../kiosk-api.ts';
import { Dialog } from './Dialog.tsx';
import { OfflineCodeForm } from './OfflineStaff.tsx';
import { ErrorNote } from './Screen.tsx';

/**
 * For staff, outside an exam: quit the kiosk with the unlock code (the window cannot be closed
 * otherwise). Main checks the code and rate-limits wrong ones; on success the app closes.
 */
export function StaffQuit(props: { k: KioskBridge; offlineCodes?: boolean }) {
  const [open, setOpen] = useState(false);
  const [offline, setOffline] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    if (!code) return setError({ code: 'VALIDATION_FAILED', message: 'Enter the staff unlock code.' });
    setBusy(true);
    setError(null);
    const r = await invokeShell(props.k, 'requestQuit', { unlockCode: code });
    setBusy(false);
    setCode('');
    if (r.ok) return setDone(true);
    setError(r.error.code === 'INVALID_CREDENTIALS' ? { ...r.error, message: 'That unlock code is not right.' } : r.error);
  }

  const close = () => {
    setOpen(false);
    setOffline(false);
    setError(null);
    setCode('');
  };
  return (
    <>
      <button type="button" class="btn btn-small staff-quit" onClick={() => setOpen(true)}>
        Staff: quit kiosk
      </button>
      {open ? (
        <Dialog title="Quit the kiosk" onClose={busy ? undefined : close}>
          {done ? (
            <p role="status">Closing the kiosk…</p>
          ) : offline ? (
            <OfflineCodeForm k={props.k} action="quit" onCancel={() => setOffline(false)} />
          ) : (
            <form onSubmit={submit} noValidate>
              <label class="field">
                <span>Staff unlock code</span>
                <input type="password" autoComplete="off" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
              </label>
              <ErrorNote error={error} />
              {props.offlineCodes ? (
                <p class="small">
                  No staff code at hand?{' '}
                  <button type="button" class="btn-link" onClick={() => setOffline(true)} disabled={busy}>
                    Use an offline code from a proctor
                  </button>
                </p>
              ) : null}
              <div class="actions">
                <button type="button" class="btn" onClick={close} disabled={busy}>
                  Cancel
                </button>
                <button type="submit" class="btn btn-primary" disabled={busy}>
                  {busy ? 'Checking…' : 'Quit'}
                </button>
              </div>
            </form>
          )}
        </Dialog>
      ) : null}
    </>
  );
}
