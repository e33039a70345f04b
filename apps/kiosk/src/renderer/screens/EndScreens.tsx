import type { KioskState } from '@invigil/contract';
import { invoke, type KioskBridge } from '../kiosk-api.ts';
import { Screen } from '../ui/Screen.tsx';

/** After submit, time up, or staff ending the exam. */
export function FinishedScreen(props: { k: KioskBridge; state: KioskState }) {
  const status = props.state.session.status;
  const title = status === 'terminated' ? 'Your exam was ended by staff' : status === 'expired' ? 'Your exam has expired' : 'Your exam is submitted';
  return (
    <Screen title={title} center>
      <p class="big-check" aria-hidden="true">
        {status === 'completed' ? '✓' : '■'}
      </p>
      <p class="lead">
        {status === 'completed'
          ? 'Thank you. Your answers are stored on the exam server. You may now leave your desk quietly.'
          : 'Your answers up to this moment are stored. Please wait for a proctor.'}
      </p>
      {props.state.candidateId ? <p class="muted">Candidate {props.state.candidateId}</p> : null}
      <div class="actions actions-center">
        <button type="button" class="btn" onClick={() => void invoke(props.k, 'logout', {})}>
          Sign out for the next candidate
        </button>
      </div>
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
