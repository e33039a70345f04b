import type { KioskState } from '@invigil/contract';
import { invoke, type KioskBridge } from '../kiosk-api.ts';
import { Screen } from '../ui/Screen.tsx';
import { finishedWording } from '../wording.ts';

/** After submit, time up, or staff ending the exam. */
export function FinishedScreen(props: { k: KioskBridge; state: KioskState }) {
  const status = props.state.session.status;
  const w = finishedWording(status, props.state.clock.timeRemaining);
  return (
    <Screen title={w.title} center>
      <p class="big-check" aria-hidden="true">
        {status === 'completed' ? '✓' : '■'}
      </p>
      <p class="lead">{w.text}</p>
      {props.state.candidateId ? <p class="muted">Candidate {props.state.candidateId}</p> : null}
      <div class="actions actions-center">
        <button type="button" class="btn" onClick={() => void invoke(props.k, 'logout', {})}>
          Sign out for the next candidate
        </button>
      </div>
    </Screen>
  );
}

/**
 * The OLD desk after a proctor moved the exam: first "Your exam is moving to another desk" with the
 * proctor's message; once the new desk has taken it over, this desk is closed.
 */
export function MovedScreen(props: { k: KioskBridge; state: KioskState }) {
  const t = props.state.transfer;
  if (t?.done) {
    return (
      <Screen title="This desk is closed" center>
        <p class="lead">Your exam continues at your new desk. Nothing more happens on this computer.</p>
        <div class="actions actions-center">
          <button type="button" class="btn" onClick={() => void invoke(props.k, 'logout', {})}>
            Sign out for the next candidate
          </button>
        </div>
      </Screen>
    );
  }
  return (
    <Screen title="Your exam is moving to another desk" center>
      {t?.message ? (
        <div class="note note-info" role="status">
          <p class="small muted">Message from the proctor</p>
          <p class="staff-message">{t.message}</p>
        </div>
      ) : null}
      <p class="lead">Please leave this computer as it is and go to the desk the proctor shows you. Sign in there: your exam continues where you left off, with your answers.</p>
      <p class="muted">The clock is stopped while you move.</p>
    </Screen>
  );
}

/** The exam cannot continue on this computer without a proctor (wrong recovery token, another device holds it). */
export function BlockedScreen(props: { state: KioskState }) {
  return (
    <Screen title="Please raise your hand">
      <p class="lead">This computer cannot continue your exam on its own. A proctor will help you. Your answers saved so far are safe.</p>
      {props.state.lastError ? <p class="muted small">Details for staff: {props.state.lastError.code} — {props.state.lastError.message}</p> : null}
    </Screen>
  );
}

/** The page was opened outside the kiosk app (no bridge). */
export function NoBridge() {
  return (
    <Screen title="Open this in the Invigil kiosk">
      <p class="lead">This page is the exam screen of the Invigil kiosk and only works inside it (or in `kiosk:preview`).</p>
    </Screen>
  );
}
