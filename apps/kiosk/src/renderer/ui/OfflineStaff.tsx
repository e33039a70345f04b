import type { KioskError } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { plural } from '../format.ts';
import { invoke, invokeShell, type KioskBridge } from '../kiosk-api.ts';
import { ErrorNote } from './Screen.tsx';

export type OfflineCodeAction = 'continue' | 'unlock' | 'quit';

const WHAT: Record<OfflineCodeAction, { intro: string; button: string; done: string }> = {
  continue: {
    intro: 'Read this challenge to a proctor (or show it). In the console, under Offline, they type it for this seat and get a code. Type that code here to let the candidate go on offline.',
    button: 'Continue the exam',
    done: 'Code accepted: the exam continues on this computer.',
  },
  unlock: {
    intro: 'Read this challenge to a proctor (or show it). In the console, under Offline, they type it for this seat and get a code. Type that code here to unlock the exam on this computer.',
    button: 'Unlock',
    done: 'Code accepted: the exam is unlocked.',
  },
  quit: {
    intro: 'No network? Read this challenge to a proctor. In the console, under Offline, they type it for this seat and get a quit code. Type that code here.',
    button: 'Quit',
    done: 'Code accepted: closing the kiosk…',
  },
};

/** The challenge, one group of five at a time, so staff can read it aloud ("K 7 Q …"). */
function ChallengeText(props: { challenge: string }) {
  const groups = props.challenge.split('-');
  return (
    <p class="challenge" data-testid="offline-challenge">
      <span class="sr-only">Challenge: {groups.map((g) => [...g].join(' ')).join(', then ')}</span>
      {groups.map((g, i) => (
        <span key={i} class="challenge-group" aria-hidden="true">
          {g}
        </span>
      ))}
    </p>
  );
}

/**
 * For staff, without the network: the kiosk shows a challenge, a proctor answers it from the console
 * (POST /proctor/sessions/{attemptId}/offline-code), staff type the code here. Continue and unlock
 * go to the agent (offlineCode); quit goes to the shell (requestQuitOffline), which checks it with
 * the agent and closes the app. An expired, used or voided challenge is replaced by a new one.
 */
export function OfflineCodeForm(props: { k: KioskBridge; action: OfflineCodeAction; onDone?: () => void; onCancel: () => void }) {
  const [challenge, setChallenge] = useState<{ text: string; expiresAt: number } | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const w = WHAT[props.action];

  async function fresh(why: string | null) {
    const r = await invoke(props.k, 'offlineChallenge', { action: props.action });
    if (!r.ok) {
      setChallenge(null);
      return setError(challengeError(r.error));
    }
    setChallenge({ text: r.data.challenge, expiresAt: r.data.expiresAt });
    setNotice(why);
  }
  useEffect(() => void fresh(null), [props.action]);

  async function submit(e: Event) {
    e.preventDefault();
    const typed = code.trim();
    if (!typed) return setError({ code: 'VALIDATION_FAILED', message: 'Type the code the proctor gave you.' });
    setBusy(true);
    setError(null);
    setNotice(null);
    const r = props.action === 'quit' ? await invokeShell(props.k, 'requestQuitOffline', { code: typed }) : await invoke(props.k, 'offlineCode', { action: props.action, code: typed });
    setBusy(false);
    if (r.ok) {
      setDone(true);
      setCode('');
      return props.onDone?.();
    }
    if (r.error.code === 'INVALID_CHALLENGE' || /challenge is void/.test(r.error.message)) {
      // Expired, used or voided: a new challenge, and staff ask the proctor again.
      setCode('');
      return void fresh(`${r.error.code === 'INVALID_CHALLENGE' && /expired/.test(r.error.message) ? 'That challenge had expired.' : 'That challenge can no longer be used.'} A new challenge is shown: read it to the proctor again.`);
    }
    setError(codeError(r.error));
  }

  if (done) {
    return (
      <p class="note note-ok" role="status">
        {w.done}
      </p>
    );
  }
  return (
    <form class="offline-code" onSubmit={submit} noValidate>
      <p class="small">{w.intro}</p>
      <div aria-live="polite">
        {challenge ? (
          <>
            <ChallengeText challenge={challenge.text} />
            <p class="small muted">Good until {new Date(challenge.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.</p>
          </>
        ) : error ? null : (
          <p class="muted">Making a challenge…</p>
        )}
        {notice ? (
          <p class="note note-warn" role="status">
            {notice}
          </p>
        ) : null}
      </div>
      <label class="field">
        <span>Code from the proctor</span>
        <input
          name="offlineCode"
          class="code-input"
          autoComplete="off"
          spellcheck={false}
          autoCapitalize="characters"
          placeholder="XXXXX-XXXXX"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'offline-code-error' : undefined}
          disabled={!challenge}
        />
      </label>
      <ErrorNote error={error} id="offline-code-error" />
      <div class="actions">
        <button type="button" class="btn" onClick={props.onCancel} disabled={busy}>
          Back
        </button>
        <button type="button" class="btn" onClick={() => void fresh('A new challenge is shown.')} disabled={busy}>
          New challenge
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy || !challenge}>
          {busy ? 'Checking…' : w.button}
        </button>
      </div>
    </form>
  );
}

function challengeError(e: KioskError): KioskError {
  if (e.code === 'NOT_CONFIGURED') return { ...e, message: 'Offline staff codes are not set up on this kiosk.' };
  if (e.code === 'NO_SESSION') return { ...e, message: 'There is no exam running on this computer.' };
  return e;
}

function codeError(e: KioskError): KioskError {
  // The agent's words say how many tries are left ("Wrong code (4 tries left for this challenge).").
  if (e.code === 'INVALID_CREDENTIALS') return { ...e, message: e.message.replace(/^Wrong code/, 'That code is not right') };
  if (e.code === 'VALIDATION_FAILED') return { ...e, message: 'Type the code the proctor gave you (10 characters, or the long code).' };
  return e;
}

/**
 * The network never came back: staff save the candidate's answers to a USB stick (the shell asks
 * where; the file is encrypted to the exam server), either handing the exam in or as a copy.
 */
export function OfflineBundleForm(props: { k: KioskBridge; onCancel: () => void; defaultSubmit?: boolean; onHandedIn?: () => void }) {
  const [submit, setSubmit] = useState(props.defaultSubmit ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);
  const [result, setResult] = useState<{ saved: boolean; path: string | null; answers: number; submit: boolean } | null>(null);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await invokeShell(props.k, 'saveOfflineBundle', { submit });
    setBusy(false);
    if (!r.ok) return setError(r.error.code === 'NOT_CONFIGURED' ? { ...r.error, message: `Saving to a USB stick is not possible on this kiosk: ${r.error.message}` } : r.error);
    setResult({ ...r.data, submit });
    if (r.data.saved && submit) props.onHandedIn?.();
  }

  return (
    <form class="offline-bundle" onSubmit={save} noValidate>
      <div aria-live="polite">
        {result ? (
          result.saved ? (
            <p class="note note-ok" role="status">
              {result.submit ? 'Handed in: ' : 'Copy saved: '}
              {plural(result.answers, 'answer')} written to <span class="mono">{result.path}</span>.{' '}
              {result.submit ? 'No more answers are taken on this computer. Give the USB stick to the exam staff to upload.' : 'The exam goes on; save again later for the newest answers.'}
            </p>
          ) : (
            <p class="note note-warn" role="status">
              Nothing was saved (no place was chosen).
            </p>
          )
        ) : null}
      </div>
      {result?.saved && result.submit ? null : (
        <>
          <p class="small">The file is encrypted for the exam server: only the server can read it. Staff upload it in the console under Offline.</p>
          <fieldset class="choice">
            <legend>What to save</legend>
            <label class="check">
              <input type="radio" name="bundleKind" checked={!submit} onChange={() => setSubmit(false)} />
              <span>Save a copy (the exam goes on)</span>
            </label>
            <label class="check">
              <input type="radio" name="bundleKind" checked={submit} onChange={() => setSubmit(true)} />
              <span>Hand in (submit): the candidate is finished</span>
            </label>
          </fieldset>
        </>
      )}
      <ErrorNote error={error} />
      <div class="actions">
        <button type="button" class="btn" onClick={props.onCancel} disabled={busy}>
          {result?.saved ? 'Done' : 'Back'}
        </button>
        {result?.saved && result.submit ? null : (
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : submit ? 'Hand in to USB stick' : 'Save a copy to USB stick'}
          </button>
        )}
      </div>
    </form>
  );
}
