import type { AnswerValue, CandidateExamView, CandidateQuestion, KioskError, KioskState } from '@invigil/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import { isAnswered, type AnswerBook, type QuestionAnswer, type SaveState } from '../answer-book.ts';
import { plural } from '../format.ts';
import { invoke, type KioskBridge } from '../kiosk-api.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { DisplayControls } from '../ui/DisplayControls.tsx';
import { ErrorNote } from '../ui/Screen.tsx';
import { Timer, useSecondsLeft } from '../ui/Timer.tsx';
import { timeWarning } from '../wording.ts';

const SAVE_TEXT: Record<SaveState, string> = {
  empty: 'Not answered yet',
  saving: 'Saving…',
  local: 'Saved on this computer',
  server: 'Saved to server',
  error: 'Not saved',
};
const SAVE_SYM: Record<SaveState, string> = { empty: '○', saving: '…', local: '●', server: '✓', error: '✕' };

function saveState(a: QuestionAnswer | undefined): SaveState {
  if (!a) return 'empty';
  if (a.state !== 'error' && !isAnswered(a.value) && a.state === 'server') return 'empty';
  return a.state;
}

export function ExamScreen(props: {
  k: KioskBridge;
  state: KioskState;
  book: AnswerBook;
  notice: string | null;
  onDismissNotice: () => void;
  /** Moved here from another desk: open at the first question without an answer, and say so. */
  resumedHere?: boolean;
}) {
  const { k, state, book } = props;
  const [exam, setExam] = useState<CandidateExamView | null>(null);
  const [examError, setExamError] = useState<KioskError | null>(null);
  const [index, setIndex] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  const left = useSecondsLeft(state.clock);
  const warning = timeWarning(left);
  const flagged = new Set(state.flagged);

  // The server shows the questions only while the session runs: when they could not be loaded
  // (say the kiosk restarted during a pause), they are asked for again once it runs.
  const running = state.session.status === 'active' && !state.session.isLocked;
  useEffect(() => {
    if (exam) return;
    let live = true;
    void (async () => {
      const r = await invoke(k, 'getExam', {});
      if (!live) return;
      if (r.ok) {
        setExam(r.data);
        setExamError(null);
      } else setExamError(r.error);
      await book.reload();
    })();
    return () => {
      live = false;
    };
  }, [k, book, running, exam]);

  // Moved here from another desk: open where it resumed, at the first question without an answer.
  const resumedHere = props.resumedHere === true;
  useEffect(() => {
    if (!exam || !resumedHere || resumedAt !== null) return;
    let live = true;
    void book.reload().then(() => {
      if (!live) return;
      const first = exam.questions.findIndex((q) => !isAnswered(book.get(q.id)?.value));
      const at = first < 0 ? 0 : first;
      moved.current = false;
      setIndex(at);
      setResumedAt(at);
    });
    return () => {
      live = false;
    };
  }, [exam, resumedHere, resumedAt, book]);

  useEffect(() => {
    if (moved.current) heading.current?.focus();
    moved.current = true;
  }, [index]);

  const offline = state.connection === 'offline';
  const recovering = state.phase === 'recovering';
  const pending = state.saves.pending;

  if (!exam) {
    return (
      <main class="screen">
        <div class="card">
          <h1>{examError ? 'The exam could not be loaded' : 'Loading your exam…'}</h1>
          <ErrorNote error={examError} />
        </div>
      </main>
    );
  }
  const q = exam.questions[Math.min(index, exam.questions.length - 1)]!;
  const total = exam.questions.length;
  const answered = exam.questions.filter((x) => isAnswered(book.get(x.id)?.value)).length;
  const unansweredNos = exam.questions.flatMap((x, i) => (isAnswered(book.get(x.id)?.value) ? [] : [i + 1]));
  const flaggedNos = exam.questions.flatMap((x, i) => (flagged.has(x.id) ? [i + 1] : []));
  const isFlagged = flagged.has(q.id);

  return (
    <div class="exam">
      <header class="exam-head">
        <div class="exam-title">
          <p class="brand" aria-hidden="true">
            <span class="brand-mark">◆</span> Invigil
          </p>
          <h1>{exam.title}</h1>
          <p class="muted">
            {state.cover?.candidate.name && state.cover.candidate.name !== state.candidateId ? `${state.cover.candidate.name} · ` : ''}Candidate {state.candidateId}
          </p>
        </div>
        <SyncSummary pending={pending} offline={offline} />
        <Timer clock={state.clock} left={left} held={state.hold === 'offline'} extraMinutes={state.cover?.plannedExtraMinutes} />
      </header>
      <div class="exam-tools">
        <DisplayControls k={k} display={state.display} />
        <RaiseHand k={k} help={state.help} />
      </div>
      {warning ? (
        <div class={`banner banner-time banner-time-${warning}`} role="alert">
          <span>
            <strong>{warning === '5' ? '5 minutes left.' : '1 minute left.'}</strong>{' '}
            {warning === '5' ? 'Check your answers: every answer is saved as you go.' : 'Your answers are saved. The exam ends by itself when the time is up.'}
          </span>
        </div>
      ) : null}
      {state.help.seenAt !== null ? (
        <div class="banner banner-info" role="status">
          <span>
            <strong>A proctor has seen your request</strong> and is on the way. Please stay at your desk.
          </span>
        </div>
      ) : null}
      {offline ? (
        <div class="banner banner-offline" role="status">
          <span>
            <strong>Offline — your answers are safe on this computer.</strong> Keep working: they are sent to the server when the connection is back.
          </span>
        </div>
      ) : null}
      {recovering && !offline ? (
        <div class="banner banner-info" role="status">
          <span>
            <strong>Reconnecting your exam…</strong> Your answers are safe on this computer.
          </span>
        </div>
      ) : null}
      {props.notice ? (
        <div class="banner banner-ok" role="status">
          <span>
            {props.notice}
            {resumedAt !== null ? ` You are at question ${resumedAt + 1}${unansweredNos.includes(resumedAt + 1) ? ', the first without an answer' : ''}.` : ''}
          </span>
          <button type="button" class="btn btn-small" onClick={props.onDismissNotice}>
            Dismiss
          </button>
        </div>
      ) : null}
      <div class="exam-body">
        <nav class="qnav" aria-label="Questions">
          <h2 class="qnav-title">
            Questions <span class="muted">({answered} of {total} answered)</span>
          </h2>
          <ol>
            {exam.questions.map((x, i) => {
              const st = saveState(book.get(x.id));
              const f = flagged.has(x.id);
              return (
                <li key={x.id}>
                  <button
                    type="button"
                    class={`qnav-item qnav-${st}${i === index ? ' qnav-current' : ''}${f ? ' qnav-flagged' : ''}`}
                    aria-current={i === index ? 'step' : undefined}
                    onClick={() => setIndex(i)}
                  >
                    <span class="qnav-n">
                      Question {i + 1}
                      {f ? (
                        <span class="qnav-flag">
                          {' '}
                          <span aria-hidden="true">⚑</span> Flagged for review
                        </span>
                      ) : null}
                    </span>
                    <span class="qnav-st">
                      <span aria-hidden="true">{SAVE_SYM[st]}</span> {SAVE_TEXT[st]}
                    </span>
                  </button>
                </li>
              );
            })}
          </ol>
          <button type="button" class="btn btn-block submit-open" onClick={() => setConfirming(true)}>
            Submit exam…
          </button>
        </nav>
        <section class="question" aria-labelledby="question-heading">
          <div class="question-top">
            <h2 id="question-heading" ref={heading} tabIndex={-1}>
              Question {index + 1} <span class="muted">of {total}</span>
            </h2>
            <button type="button" class={`btn btn-small flag-toggle${isFlagged ? ' flag-on' : ''}`} aria-pressed={isFlagged ? 'true' : 'false'} onClick={() => void invoke(k, 'setFlag', { questionId: q.id, flagged: !isFlagged })}>
              <span aria-hidden="true">⚑ </span>Flag for review
            </button>
          </div>
          <QuestionInput key={q.id} q={q} answer={book.get(q.id)} onChange={(v) => book.set(q.id, v)} />
          <SaveLine a={book.get(q.id)} />
          <div class="pager">
            <button type="button" class="btn btn-large" disabled={index === 0} onClick={() => setIndex(index - 1)}>
              ← Previous
            </button>
            {index < total - 1 ? (
              <button type="button" class="btn btn-primary btn-large" onClick={() => setIndex(index + 1)}>
                Next →
              </button>
            ) : (
              <button type="button" class="btn btn-primary btn-large" onClick={() => setConfirming(true)}>
                Finish and submit…
              </button>
            )}
          </div>
        </section>
      </div>
      {confirming ? (
        <SubmitDialog
          k={k}
          answered={answered}
          total={total}
          pending={pending}
          offline={offline}
          unanswered={unansweredNos}
          flagged={flaggedNos}
          onGoTo={(n) => {
            setConfirming(false);
            setIndex(n - 1);
          }}
          onClose={() => setConfirming(false)}
        />
      ) : null}
    </div>
  );
}

function SyncSummary(props: { pending: number; offline: boolean }) {
  const text =
    props.pending === 0
      ? 'All answers saved to server'
      : `${plural(props.pending, 'answer')} saved on this computer${props.offline ? ', waiting for the connection' : ', sending…'}`;
  return (
    <p class={`sync ${props.pending === 0 ? 'sync-ok' : 'sync-pending'}`} aria-live="polite">
      <span aria-hidden="true">{props.pending === 0 ? '✓' : '●'}</span> {text}
    </p>
  );
}

function SaveLine(props: { a: QuestionAnswer | undefined }) {
  const st = saveState(props.a);
  return (
    <p class={`saveline saveline-${st}`} aria-live="polite" data-testid="save-state">
      <span aria-hidden="true">{SAVE_SYM[st]}</span> {SAVE_TEXT[st]}
      {st === 'error' && props.a?.error ? <> — {props.a.error.message}</> : null}
    </p>
  );
}

function QuestionInput(props: { q: CandidateQuestion; answer: QuestionAnswer | undefined; onChange: (v: AnswerValue) => void }) {
  const { q } = props;
  const value = props.answer?.value ?? null;
  if (q.type === 'text') {
    return (
      <div class="field">
        <label for={`answer-${q.id}`} class="prompt">
          {q.prompt}
        </label>
        <textarea id={`answer-${q.id}`} rows={10} value={typeof value === 'string' ? value : ''} onInput={(e) => props.onChange(e.currentTarget.value)} />
      </div>
    );
  }
  const chosen = new Set(Array.isArray(value) ? value : typeof value === 'string' && value ? [value] : []);
  const multiple = q.type === 'multiple';
  return (
    <fieldset class="options">
      <legend class="prompt">
        {q.prompt}
        {multiple ? <span class="hint"> Choose all that apply.</span> : null}
      </legend>
      {(q.options ?? []).map((o) => (
        <label key={o.id} class={`option${chosen.has(o.id) ? ' option-on' : ''}`}>
          <input
            type={multiple ? 'checkbox' : 'radio'}
            name={`q-${q.id}`}
            value={o.id}
            checked={chosen.has(o.id)}
            onChange={(e) => {
              if (!multiple) return props.onChange(o.id);
              const next = new Set(chosen);
              if (e.currentTarget.checked) next.add(o.id);
              else next.delete(o.id);
              props.onChange((q.options ?? []).map((x) => x.id).filter((id) => next.has(id)));
            }}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** Raise hand: a help request to the proctors; says when it is on its way and when one has seen it. */
function RaiseHand(props: { k: KioskBridge; help: KioskState['help'] }) {
  const [error, setError] = useState<KioskError | null>(null);
  const raised = props.help.requestedAt !== null && props.help.seenAt === null;
  return (
    <div class="raise-hand">
      <button
        type="button"
        class="btn btn-small"
        disabled={raised}
        onClick={async () => {
          const r = await invoke(props.k, 'raiseHand', {});
          setError(r.ok ? null : r.error);
        }}
      >
        {raised ? 'Hand raised' : 'Raise hand'}
      </button>
      <span class="raise-hand-status" role="status">
        {raised ? 'Your request was sent. A proctor will come to you.' : ''}
      </span>
      <ErrorNote error={error} />
    </div>
  );
}

function numbers(ns: number[]): string {
  return ns.length <= 1 ? ns.join('') : `${ns.slice(0, -1).join(', ')} and ${ns[ns.length - 1]}`;
}

function SubmitDialog(props: {
  k: KioskBridge;
  answered: number;
  total: number;
  pending: number;
  offline: boolean;
  /** Question numbers (1-based) without an answer, and flagged for review. */
  unanswered: number[];
  flagged: number[];
  onGoTo: (n: number) => void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);
  async function submit() {
    setBusy(true);
    setError(null);
    const r = await invoke(props.k, 'submit', {});
    setBusy(false);
    if (!r.ok) {
      const unsent = r.error.code === 'NOT_SYNCED' || r.error.code === 'OFFLINE';
      setError(unsent ? { ...r.error, message: 'Your last answers could not reach the server yet, so the exam was not submitted. They are safe on this computer: try again when the connection is back.' } : r.error);
    }
    // On success the agent moves to "finished" and the app shows the finished screen.
  }
  const unanswered = props.total - props.answered;
  return (
    <Dialog title="Submit your exam?" onClose={busy ? undefined : props.onClose} describedBy="submit-desc">
      <div id="submit-desc">
        <p>
          You answered <strong>{props.answered} of {props.total}</strong> questions.
          {unanswered > 0 ? ` ${plural(unanswered, 'question')} ${unanswered === 1 ? 'has' : 'have'} no answer.` : ''}
        </p>
        {props.unanswered.length > 0 || props.flagged.length > 0 ? (
          <ul class="submit-summary">
            {props.unanswered.length > 0 ? (
              <li>
                Not answered: question{props.unanswered.length === 1 ? '' : 's'} {numbers(props.unanswered)}.{' '}
                <button type="button" class="btn-link" onClick={() => props.onGoTo(props.unanswered[0]!)}>
                  Go to question {props.unanswered[0]}
                </button>
              </li>
            ) : null}
            {props.flagged.length > 0 ? (
              <li>
                <span aria-hidden="true">⚑ </span>Flagged for review: question{props.flagged.length === 1 ? '' : 's'} {numbers(props.flagged)}.{' '}
                <button type="button" class="btn-link" onClick={() => props.onGoTo(props.flagged[0]!)}>
                  Go to question {props.flagged[0]}
                </button>
              </li>
            ) : null}
          </ul>
        ) : null}
        <p>After you submit you cannot change your answers.</p>
        {props.pending > 0 ? <p class="note note-warn">{plural(props.pending, 'answer')} will be sent to the server first{props.offline ? ' — this needs the connection' : ''}.</p> : null}
      </div>
      <ErrorNote error={error} />
      <div class="actions">
        <button type="button" class="btn btn-large" onClick={props.onClose} disabled={busy} data-autofocus>
          Go back to my exam
        </button>
        <button type="button" class="btn btn-primary btn-large" onClick={() => void submit()} disabled={busy}>
          {busy ? 'Submitting…' : 'Submit my exam'}
        </button>
      </div>
    </Dialog>
  );
}
