import type { KioskConfig, KioskEvent, KioskState } from '@invigil/contract';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AnswerBook } from './answer-book.ts';
import { plural } from './format.ts';
import { invoke, kioskBridge, type KioskBridge } from './kiosk-api.ts';
import { ChecksScreen } from './screens/ChecksScreen.tsx';
import { ConnectScreen } from './screens/ConnectScreen.tsx';
import { BlockedScreen, FinishedScreen, NoBridge } from './screens/EndScreens.tsx';
import { ExamScreen } from './screens/ExamScreen.tsx';
import { LoginScreen } from './screens/LoginScreen.tsx';
import { Dialog } from './ui/Dialog.tsx';
import { StaffQuit } from './ui/StaffQuit.tsx';

export function App() {
  const k = kioskBridge();
  return k ? <KioskApp k={k} /> : <NoBridge />;
}

interface StaffMessage {
  id: string;
  message: string;
}

/**
 * Which screen shows follows the agent's state (phase, connection, lock) pushed from main: connect →
 * sign in → checks → exam → finished. The renderer holds only what the candidate is doing right
 * now (the question, a draft being saved, dialogs); everything durable lives in the agent.
 */
function KioskApp({ k }: { k: KioskBridge }) {
  const [state, setState] = useState<KioskState | null>(null);
  const [config, setConfig] = useState<KioskConfig | null>(null);
  const [editingConfig, setEditingConfig] = useState(false);
  const [resumeCode, setResumeCode] = useState<string | null>(null);
  const [messages, setMessages] = useState<StaffMessage[]>([]);
  const [restored, setRestored] = useState<number | null>(null);
  const [claiming, setClaiming] = useState(false);
  const book = useMemo(() => new AnswerBook(k), [k]);
  // Re-render when an answer's save state changes (the book is mutable; the counter is the signal).
  const [, setRev] = useState(0);
  useEffect(() => book.subscribe(() => setRev(book.rev)), [book]);

  useEffect(() => {
    const offState = k.onState(setState);
    const offEvent = k.onEvent((e: KioskEvent) => {
      book.onEvent(e);
      if (e.type === 'message') setMessages((m) => (m.some((x) => x.id === e.instructionId) ? m : [...m, { id: e.instructionId, message: e.message }]));
      if (e.type === 'recovered') {
        setRestored(e.answersRestored);
        void book.reload();
      }
    });
    void (async () => {
      const [s, c] = await Promise.all([invoke(k, 'getState', {}), invoke(k, 'getConfig', {})]);
      if (s.ok) setState((cur) => cur ?? s.data);
      setConfig(c.ok ? c.data : { serverUrl: null, centerId: null });
    })();
    return () => {
      offState();
      offEvent();
    };
  }, [k, book]);

  // Nothing left to send: ask the agent, so every question shows "saved to server".
  const pending = state?.saves.pending ?? 0;
  useEffect(() => {
    if (pending === 0 && state?.attemptId) void book.reload();
  }, [pending, state?.attemptId]);

  if (!state || !config) {
    return (
      <main class="screen">
        <p class="lead" role="status">
          Starting…
        </p>
      </main>
    );
  }

  let screen;
  if (editingConfig || (!config.serverUrl && (state.phase === 'idle' || state.phase === 'logged-in'))) {
    screen = (
      <ConnectScreen
        k={k}
        config={config}
        onDone={(c) => {
          setConfig(c);
          setEditingConfig(false);
        }}
        onCancel={config.serverUrl ? () => setEditingConfig(false) : undefined}
      />
    );
  } else {
    switch (state.phase) {
      case 'idle':
      case 'needs-login':
        screen = <LoginScreen k={k} state={state} config={config} onLogin={(r) => setResumeCode(r.resumeCode)} onChangeServer={() => setEditingConfig(true)} />;
        break;
      case 'logged-in':
        screen = (
          <ChecksScreen
            k={k}
            candidateId={state.candidateId}
            resumeCode={resumeCode}
            onStarted={(how) => {
              setClaiming(how === 'transfer');
              setResumeCode(null);
            }}
          />
        );
        break;
      case 'recovering':
      case 'in-exam':
        screen = (
          <ExamScreen
            k={k}
            state={state}
            book={book}
            notice={restored === null ? null : `${claiming ? 'Your exam continues at this desk' : 'Your session was recovered'}; ${plural(restored, 'answer')} restored.`}
            onDismissNotice={() => setRestored(null)}
          />
        );
        break;
      case 'finished':
        screen = <FinishedScreen k={k} state={state} />;
        break;
      case 'blocked':
        screen = <BlockedScreen state={state} />;
        break;
    }
  }

  const inExam = state.phase === 'in-exam' || state.phase === 'recovering';
  const locked = inExam && state.session.isLocked;
  const paused = inExam && !locked && state.session.pausedByStaff;
  const message = messages[0];
  return (
    <>
      {screen}
      {inExam ? null : <StaffQuit k={k} />}
      {locked ? (
        <Dialog title="Your exam is locked" role="alertdialog" tone="overlay" key="locked">
          <p class="lead">A proctor has locked your exam. The clock is stopped. Please stay at your desk and wait; a proctor will come to you.</p>
          <p class="muted">Your answers are safe.</p>
        </Dialog>
      ) : null}
      {paused ? (
        <Dialog title="Your exam is paused by staff" role="alertdialog" tone="overlay" class="dialog-paused" key="paused">
          <p class="lead">The clock is stopped and no time is lost. Please wait; your exam continues when staff resume it.</p>
          <p class="muted">Your answers are safe.</p>
        </Dialog>
      ) : null}
      {message && !locked && !paused ? (
        <Dialog title="Message from the exam staff" role="alertdialog" tone="alert" key={message.id} onClose={() => setMessages((m) => m.slice(1))}>
          <p class="staff-message">{message.message}</p>
          <div class="actions">
            <button type="button" class="btn btn-primary btn-large" data-autofocus onClick={() => setMessages((m) => m.slice(1))}>
              OK
            </button>
          </div>
        </Dialog>
      ) : null}
    </>
  );
}
