import type { ExamCover, KioskError, KioskState, PreflightReport } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { plural } from '../format.ts';
import { invoke, type KioskBridge } from '../kiosk-api.ts';
import { DisplayControls } from '../ui/DisplayControls.tsx';
import { ErrorNote, Screen } from '../ui/Screen.tsx';

const SYMBOL = { pass: '✓', warn: '!', fail: '✕' } as const;
const WORD = { pass: 'Passed', warn: 'Warning', fail: 'Failed' } as const;
/** While checks fail, how often the kiosk asks whether a proctor waived them. */
export const WAIVER_POLL_MS = 3_000;

/**
 * Before the exam: the computer is checked (server, clock, displays, programs, physical machine,
 * saving). A failed check keeps the exam from starting until it is fixed; warnings do not.
 * After a transfer the button continues the moved exam with the resume code instead of starting one.
 */
export function ChecksScreen(props: {
  k: KioskBridge;
  candidateId: string | null;
  cover: ExamCover | null;
  display: KioskState['display'];
  resumeCode: string | null;
  onStarted: (how: 'start' | 'transfer', attemptId: string | null) => void;
}) {
  const [report, setReport] = useState<PreflightReport | null>(null);
  const [running, setRunning] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);
  const [resumeCode, setResumeCode] = useState(props.resumeCode ?? '');
  const [waiver, setWaiver] = useState<{ checks: string[]; reason: string | null } | null>(null);
  const transfer = props.resumeCode !== null;
  useEffect(() => setResumeCode(props.resumeCode ?? ''), [props.resumeCode]);

  async function run() {
    setRunning(true);
    const r = await invoke(props.k, 'runChecks', {});
    setRunning(false);
    if (r.ok) setReport(r.data);
    else setError(r.error);
  }
  useEffect(() => void run(), []);
  // The cover page (the candidate's name, the exam's title) to confirm before starting.
  useEffect(() => void invoke(props.k, 'getCover', {}), [props.k]);
  const cover = props.cover;

  async function start() {
    setStarting(true);
    setError(null);
    const r = transfer ? await invoke(props.k, 'claimTransfer', { resumeCode: resumeCode.trim() }) : await invoke(props.k, 'startExam', {});
    setStarting(false);
    if (!r.ok) return setError(startError(r.error));
    props.onStarted(transfer ? 'transfer' : 'start', r.data.attemptId);
  }

  // Checks failed: a proctor may waive them (console); ask now and every few seconds until they do.
  const failedIds = report ? report.checks.filter((c) => c.status === 'fail').map((c) => c.id) : [];
  const failedKey = failedIds.join(',');
  useEffect(() => {
    if (!failedKey) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      const r = await invoke(props.k, 'checkWaiver', {});
      if (stop) return;
      if (r.ok && r.data.waived) setWaiver({ checks: r.data.checks, reason: r.data.reason });
      else if (r.ok) setWaiver(null);
      timer = setTimeout(() => void ask(), WAIVER_POLL_MS);
    };
    void ask();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [failedKey, props.k]);
  const waived = failedIds.length > 0 && !!waiver && failedIds.every((id) => waiver.checks.includes(id));
  const canStart = !!report && (report.ok || waived);

  const failed = failedIds.length;
  return (
    <Screen title="Checking this computer" wide>
      {cover ? (
        <div class="cover" aria-label="Your exam">
          <p class="cover-q">Please check this is you and your exam:</p>
          <dl class="cover-facts">
            <div>
              <dt>Name</dt>
              <dd>{cover.candidate.name}</dd>
            </div>
            <div>
              <dt>Candidate ID</dt>
              <dd>{cover.candidate.id}</dd>
            </div>
            <div>
              <dt>Exam</dt>
              <dd>{cover.title}</dd>
            </div>
            <div>
              <dt>Time</dt>
              <dd>
                {plural(cover.durationMinutes, 'minute')}
                {cover.plannedExtraMinutes ? ` + ${plural(cover.plannedExtraMinutes, 'minute')} extra time` : ''}
              </dd>
            </div>
          </dl>
          <p class="small muted">Not you, or not your exam? Sign out below and tell a proctor.</p>
        </div>
      ) : props.candidateId ? (
        <p class="lead">Signed in as {props.candidateId}.</p>
      ) : null}
      <DisplayControls k={props.k} display={props.display} />
      <ul class="checks" aria-busy={running ? 'true' : 'false'} aria-label="Checks">
        {report
          ? report.checks.map((c) => (
              <li key={c.id} class={`check-row check-${c.status}`}>
                <span class="check-sym" aria-hidden="true">
                  {SYMBOL[c.status]}
                </span>
                <span class="check-text">
                  <strong>{c.label}</strong> <span class={`check-word check-word-${c.status}`}>{WORD[c.status]}</span>
                  <span class="check-msg">{c.message}</span>
                </span>
              </li>
            ))
          : <li class="check-row">Checking…</li>}
      </ul>
      <p role="status" class={`summary ${report && !report.ok && !waived ? 'summary-fail' : ''}`}>
        {running ? 'Running the checks…' : report ? (report.ok ? 'This computer is ready for your exam.' : waived ? `${failed} check${failed === 1 ? '' : 's'} failed, and a proctor allowed it: you can start.` : `${failed} check${failed === 1 ? '' : 's'} failed. Fix ${failed === 1 ? 'it' : 'them'} and run the checks again, or raise your hand for a proctor.`) : ''}
      </p>
      {waived && !running ? (
        <p class="note note-ok" role="status">
          A proctor allowed you to start{waiver?.reason ? `: ${waiver.reason}` : '.'}
        </p>
      ) : null}
      {transfer ? (
        <label class="field">
          <span>Resume code from the proctor</span>
          <input class="code-input" name="resumeCode" autoComplete="off" spellcheck={false} value={resumeCode} onInput={(e) => setResumeCode(e.currentTarget.value)} />
        </label>
      ) : null}
      <ErrorNote error={error} />
      <div class="actions">
        <button type="button" class="btn-link actions-left" onClick={() => void invoke(props.k, 'logout', {})} disabled={starting}>
          Not {props.candidateId ?? 'you'}? Sign out
        </button>
        <button type="button" class="btn" onClick={() => void run()} disabled={running}>
          Run the checks again
        </button>
        <button type="button" class="btn btn-primary btn-large" onClick={() => void start()} disabled={!canStart || running || starting}>
          {starting ? (transfer ? 'Continuing…' : 'Starting…') : transfer ? 'Continue my exam' : 'Start the exam'}
        </button>
      </div>
    </Screen>
  );
}

function startError(e: KioskError): KioskError {
  switch (e.code) {
    case 'VALIDATION_FAILED':
      return { ...e, message: 'Enter the whole resume code the proctor gave you.' };
    case 'INVALID_RESUME_CODE':
      return { ...e, message: 'The resume code is wrong or has expired. Check it, or ask the proctor for a new one.' };
    case 'ACTIVE_SESSION_EXISTS':
      return { ...e, message: 'Your exam is already running on another computer. Ask a proctor to move it here.' };
    case 'ATTEMPT_FINISHED':
      return { ...e, message: 'You have already finished this exam.' };
    case 'OFFLINE':
      return { ...e, message: 'This computer cannot reach the exam server. Tell a proctor.' };
    default:
      return e;
  }
}
