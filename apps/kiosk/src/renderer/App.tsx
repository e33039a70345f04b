import type { KioskConfig, KioskEvent, KioskState } from '@invigil/contract';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AnswerBooks } from './answer-book.ts';
import { plural } from './format.ts';
import { invoke, kioskBridge, type KioskBridge } from './kiosk-api.ts';
import { ChecksScreen } from './screens/ChecksScreen.tsx';
import { ConnectScreen } from './screens/ConnectScreen.tsx';
import { BlockedScreen, FinishedScreen, MovedScreen, NoBridge } from './screens/EndScreens.tsx';
import { ExamScreen } from './screens/ExamScreen.tsx';
import { LoginScreen } from './screens/LoginScreen.tsx';
import { Dialog } from './ui/Dialog.tsx';
import { LockedDialog, OfflineWaitDialog, TimeUpOffline } from './ui/OfflineDialogs.tsx';
import { useDisplay } from './ui/DisplayControls.tsx';
import { StaffCodeScreen } from './ui/StaffCode.tsx';
import { StaffQuit } from './ui/StaffQuit.tsx';

/** How long the "session recovered" banner stays (it can be dismissed before). */
export const NOTICE_MS = 15_000;
const PLAIN_DISPLAY = { textSize: 0, highContrast: false };

export function App() {
  const k = kioskBridge();
  return k ? <KioskApp k={k} /> : <NoBridge />;
}

/** A staff message, and the attempt it came in (it is shown in that attempt only). */
interface StaffMessage {
  id: string;
  message: string;
  attemptId: string | null;
}

/**
 * Which screen shows follows the agent's state (phase, connection, lock) pushed from main: connect →
 * sign in → checks → exam → finished. The renderer holds only what the candidate is doing right
 * now (the question, a draft being saved, dialogs); everything durable lives in the agent.
 * What is one candidate's (answers, the recovered banner, staff messages, the resume code) is kept
 * with the attempt or candidate it belongs to, shown only while that one is the agent's, and dropped
 * when the agent moves on (sign-out, the next candidate, a new attempt).
 */
function KioskApp({ k }: { k: KioskBridge }) {
  const [state, setState] = useState<KioskState | null>(null);
  const [config, setConfig] = useState<KioskConfig | null>(null);
  const [editingConfig, setEditingConfig] = useState(false);
  /** The staff code was accepted for changing the server (the agent holds the grant; this is the form's step). */
  const [staffOk, setStaffOk] = useState(false);
  const [resume, setResume] = useState<{ candidateId: string; code: string } | null>(null);
  const [messages, setMessages] = useState<StaffMessage[]>([]);
  const [restored, setRestored] = useState<{ attemptId: string; answers: number } | null>(null);
  const [claimedAttemptId, setClaimedAttemptId] = useState<string | null>(null);
  /** The exam the last candidate here signed in to: the next candidate's sign-in form starts with it. */
  const [lastExamId, setLastExamId] = useState<string | null>(null);
  const books = useMemo(() => new AnswerBooks(k), [k]);
  const candidateId = state?.candidateId ?? null;
  const attemptId = state?.attemptId ?? null;
  const examId = state?.examId ?? null;
  useEffect(() => {
    if (examId) setLastExamId(examId);
  }, [examId]);
  const book = books.follow(attemptId);
  // Re-render when an answer's save state changes (the book is mutable; the counter is the signal).
  const [, setRev] = useState(0);
  useEffect(() => book.subscribe(() => setRev(book.rev)), [book]);

  useEffect(() => {
    const offState = k.onState((s) => {
      books.follow(s.attemptId); // events that follow this state go to its attempt's book
      setState(s);
    });
    const offEvent = k.onEvent((e: KioskEvent) => {
      const current = books.current;
      current.onEvent(e);
      if (e.type === 'message') {
        setMessages((m) => (m.some((x) => x.id === e.instructionId) ? m : [...m, { id: e.instructionId, message: e.message, attemptId: current.attemptId }]));
      }
      if (e.type === 'recovered') {
        setRestored({ attemptId: e.attemptId, answers: e.answersRestored });
        if (e.attemptId === current.attemptId) void current.reload();
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
  }, [k, books]);

  // Signed out, another candidate, another attempt: what belonged to the previous one goes.
  useEffect(() => {
    setMessages((m) => m.filter((x) => x.attemptId === attemptId));
    setRestored((r) => (r && r.attemptId === attemptId ? r : null));
    setClaimedAttemptId((c) => (c === attemptId ? c : null));
    setResume((r) => (r && r.candidateId === candidateId ? r : null));
  }, [candidateId, attemptId]);

  // The "recovered" banner goes by itself after a while.
  useEffect(() => {
    if (!restored) return;
    const t = setTimeout(() => setRestored(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [restored]);

  // The candidate's text size and contrast, on the whole page (plain for nobody signed in).
  useDisplay(state?.candidateId ? state.display : PLAIN_DISPLAY);

  // Nothing left to send: ask the agent, so every question shows "saved to server".
  const pending = state?.saves.pending ?? 0;
  useEffect(() => {
    if (pending === 0 && attemptId) void book.reload();
  }, [pending, attemptId, book]);

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
  const stopEditing = () => {
    setEditingConfig(false);
    setStaffOk(false);
  };
  if ((editingConfig || (!config.serverUrl && (state.phase === 'idle' || state.phase === 'logged-in'))) && config.staffCodeRequired && !staffOk) {
    // Changing the server is for staff: the staff code first (checked and rate limited like quitting).
    screen = <StaffCodeScreen k={k} onOk={() => setStaffOk(true)} onCancel={config.serverUrl ? stopEditing : undefined} />;
  } else if (editingConfig || (!config.serverUrl && (state.phase === 'idle' || state.phase === 'logged-in'))) {
    screen = (
      <ConnectScreen
        k={k}
        config={config}
        onDone={(c) => {
          setConfig({ ...config, ...c });
          stopEditing();
        }}
        onCancel={config.serverUrl ? stopEditing : undefined}
      />
    );
  } else {
    switch (state.phase) {
      case 'idle':
      case 'needs-login':
        screen = (
          <LoginScreen
            k={k}
            state={state}
            config={config}
            lastExamId={lastExamId}
            onLogin={(r) => setResume(r.resumeCode ? { candidateId: r.candidateId, code: r.resumeCode } : null)}
            onChangeServer={() => setEditingConfig(true)}
          />
        );
        break;
      case 'logged-in':
        screen = (
          <ChecksScreen
            k={k}
            candidateId={state.candidateId}
            cover={state.cover}
            display={state.display}
            resumeCode={resume && resume.candidateId === state.candidateId ? resume.code : null}
            onStarted={(how, started) => {
              setClaimedAttemptId(how === 'transfer' ? started : null);
              setResume(null);
            }}
          />
        );
        break;
      case 'recovering':
      case 'in-exam':
        screen = (
          <ExamScreen
            key={state.attemptId ?? ''}
            k={k}
            state={state}
            book={book}
            resumedHere={claimedAttemptId === state.attemptId}
            notice={
              restored && restored.attemptId === state.attemptId
                ? claimedAttemptId === state.attemptId
                  ? `Your exam continues at this desk, where you left off; ${plural(restored.answers, 'answer')} restored.`
                  : `Your session was recovered; ${plural(restored.answers, 'answer')} restored.`
                : null
            }
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
      case 'moved':
        screen = <MovedScreen k={k} state={state} />;
        break;
    }
  }

  const inExam = state.phase === 'in-exam' || state.phase === 'recovering';
  const held = inExam && state.hold === 'offline';
  const locked = inExam && state.session.isLocked;
  const paused = inExam && !locked && state.session.pausedByStaff;
  const message = messages.find((m) => m.attemptId === state.attemptId);
  return (
    <>
      {screen}
      {inExam || (state.phase === 'moved' && !state.transfer?.done) ? null : <StaffQuit k={k} offlineCodes={!!state.offline?.codesAvailable} />}
      {inExam && !locked && state.connection === 'offline' ? <TimeUpOffline k={k} state={state} key="time-up" /> : null}
      {inExam && !locked && (held || state.offline?.continueNeeded) ? <OfflineWaitDialog k={k} state={state} key="offline-wait" /> : null}
      {locked ? <LockedDialog k={k} state={state} key="locked" /> : null}
      {paused && !held ? (
        <Dialog title="Your exam is paused by staff" role="alertdialog" tone="overlay" class="dialog-paused" key="paused">
          <p class="lead">The clock is stopped and no time is lost. Please wait; your exam continues when staff resume it.</p>
          <p class="muted">Your answers are safe.</p>
        </Dialog>
      ) : null}
      {message && !locked && !paused && !held && !state.offline?.continueNeeded ? (
        <Dialog title="Message from the exam staff" role="alertdialog" tone="alert" key={message.id} onClose={() => setMessages((m) => m.filter((x) => x.id !== message.id))}>
          <p class="staff-message">{message.message}</p>
          <div class="actions">
            <button type="button" class="btn btn-primary btn-large" data-autofocus onClick={() => setMessages((m) => m.filter((x) => x.id !== message.id))}>
              OK
            </button>
          </div>
        </Dialog>
      ) : null}
    </>
  );
}
