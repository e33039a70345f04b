import type { KioskConfig, KioskError, KioskState } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { invoke, type KioskBridge } from '../kiosk-api.ts';
import { ErrorNote, Screen } from '../ui/Screen.tsx';

export interface LoginResult {
  /** Who signs in (the resume code is theirs only). */
  candidateId: string;
  /** The one-time code a proctor gave to continue an exam moved from another desk. */
  resumeCode: string | null;
}

/** The candidate signs in with the exam id, their candidate id and access code (and, when moved here, the resume code). */
export function LoginScreen(props: {
  k: KioskBridge;
  state: KioskState;
  config: KioskConfig;
  /** The exam the last candidate at this desk signed in to (the next one usually sits the same). */
  lastExamId?: string | null;
  onLogin: (r: LoginResult) => void;
  onChangeServer: () => void;
}) {
  const again = props.state.phase === 'needs-login';
  const [examId, setExamId] = useState(props.state.examId ?? props.config.examId ?? props.lastExamId ?? '');
  const [candidateId, setCandidateId] = useState(props.state.candidateId ?? '');
  const [accessCode, setAccessCode] = useState('');
  const [moved, setMoved] = useState(false);
  const [resumeCode, setResumeCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    if (!examId.trim() || !candidateId.trim() || !accessCode) return setError({ code: 'VALIDATION_FAILED', message: 'Fill in the exam ID, your candidate ID and your access code.' });
    if (moved && resumeCode.trim().length < 20) return setError({ code: 'VALIDATION_FAILED', message: 'Enter the whole resume code the proctor gave you.' });
    setBusy(true);
    setError(null);
    // Told before signing in: the agent's new state (and so the next screen) can arrive before the call answers.
    props.onLogin({ candidateId: candidateId.trim(), resumeCode: moved ? resumeCode.trim() : null });
    const r = await invoke(props.k, 'login', { examId: examId.trim(), candidateId: candidateId.trim(), accessCode });
    setBusy(false);
    if (!r.ok) return setError(loginError(r.error));
  }

  return (
    <Screen
      title={again ? 'Sign in again to continue' : 'Sign in to your exam'}
      lead={again ? 'Your sign-in ended. Your answers are safe on this computer: sign in again and your exam continues where you left off.' : 'Use the details on your exam letter.'}
    >
      <form onSubmit={submit} noValidate>
        <label class="field">
          <span>Exam ID</span>
          <input name="examId" autoComplete="off" spellcheck={false} value={examId} onInput={(e) => setExamId(e.currentTarget.value)} required />
        </label>
        <label class="field">
          <span>Candidate ID</span>
          <input name="candidateId" autoComplete="off" spellcheck={false} value={candidateId} onInput={(e) => setCandidateId(e.currentTarget.value)} required />
        </label>
        <label class="field">
          <span>Access code</span>
          <input name="accessCode" type="password" autoComplete="off" value={accessCode} onInput={(e) => setAccessCode(e.currentTarget.value)} required />
        </label>
        {again ? null : (
          <label class="check">
            <input type="checkbox" checked={moved} onChange={(e) => setMoved(e.currentTarget.checked)} />
            <span>I was moved here from another desk</span>
          </label>
        )}
        {moved ? (
          <label class="field">
            <span>Resume code from the proctor</span>
            <input
              name="resumeCode"
              class="code-input"
              autoComplete="off"
              spellcheck={false}
              autoCapitalize="characters"
              placeholder="XXXX-XXXX-XXXX-…"
              value={resumeCode}
              onInput={(e) => setResumeCode(e.currentTarget.value)}
            />
          </label>
        ) : null}
        <ErrorNote error={error} />
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      <p class="footnote">
        Exam server: <span class="mono">{props.config.serverUrl}</span>
        {props.config.centerId ? <> · Center: {props.config.centerId}</> : null}{' '}
        {again ? null : (
          <button type="button" class="btn-link" onClick={props.onChangeServer}>
            Change (staff)
          </button>
        )}
      </p>
    </Screen>
  );
}

function loginError(e: KioskError): KioskError {
  switch (e.code) {
    case 'INVALID_CREDENTIALS':
    case 'NOT_FOUND':
      return { ...e, message: 'These details do not match. Check the exam ID, your candidate ID and your access code, or ask a proctor.' };
    case 'RATE_LIMITED':
      return { ...e, message: 'Too many tries. Wait a minute, then try again, or ask a proctor.' };
    case 'OFFLINE':
      return { ...e, message: 'This computer cannot reach the exam server. Tell a proctor.' };
    default:
      return e;
  }
}
