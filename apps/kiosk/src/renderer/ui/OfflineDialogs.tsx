import type { KioskState } from '@invigil/contract';
import { useState } from 'preact/hooks';
import type { KioskBridge } from '../kiosk-api.ts';
import { Dialog } from './Dialog.tsx';
import { OfflineBundleForm, OfflineCodeForm } from './OfflineStaff.tsx';
import { useSecondsLeft } from './Timer.tsx';

type Panel = null | 'code' | 'bundle';

/** The staff buttons under a candidate-facing overlay (offline code, USB stick), each opening its form in place. */
function StaffActions(props: { codeLabel: string | null; bundle: boolean; onPick: (p: 'code' | 'bundle') => void }) {
  if (!props.codeLabel && !props.bundle) return null;
  return (
    <div class="actions actions-center staff-actions" role="group" aria-label="For exam staff">
      {props.codeLabel ? (
        <button type="button" class="btn" onClick={() => props.onPick('code')}>
          {props.codeLabel}
        </button>
      ) : null}
      {props.bundle ? (
        <button type="button" class="btn" onClick={() => props.onPick('bundle')}>
          Staff: save answers to a USB stick
        </button>
      ) : null}
    </div>
  );
}

/**
 * Offline and the exam cannot go on by itself: held (offline past the pause threshold), or restarted
 * mid-exam without the server (answers wait for the server or a staff "continue" code). One dialog
 * for both, so that a staff form opened in it (a challenge the proctor is answering) stays open when
 * the one state turns into the other; a restart keeps its own words while it lasts.
 */
export function OfflineWaitDialog(props: { k: KioskBridge; state: KioskState }) {
  const [panel, setPanel] = useState<Panel>(null);
  const [handedIn, setHandedIn] = useState(false);
  const o = props.state.offline;
  const restarted = !!o?.continueNeeded;
  return (
    <Dialog title={restarted ? 'Waiting for the exam server' : 'Your exam is paused: the connection is lost'} role="alertdialog" tone="overlay">
      {panel === 'code' ? (
        <OfflineCodeForm k={props.k} action="continue" onCancel={() => setPanel(null)} />
      ) : panel === 'bundle' ? (
        <OfflineBundleForm k={props.k} onCancel={() => setPanel(null)} onHandedIn={() => setHandedIn(true)} />
      ) : (
        <>
          {restarted ? (
            <>
              <p class="lead">This computer restarted. Your answers are safe on it. Your exam continues when the exam server is reached again, or when a proctor lets it continue.</p>
              <p class="muted">Please stay at your desk; if this takes long, raise your hand.</p>
            </>
          ) : (
            <>
              <p class="lead">The clock is stopped and no time is lost. Your exam continues when this computer reaches the exam server again.</p>
              <p class="muted">Your answers so far are safe on this computer. Please stay at your desk; if this takes long, raise your hand.</p>
            </>
          )}
          {handedIn ? <p class="note note-ok">The exam was handed in on a USB stick. No more answers are taken on this computer.</p> : null}
          <StaffActions codeLabel={o?.codesAvailable && !handedIn ? 'Staff: continue offline' : null} bundle={!!o?.bundleAvailable} onPick={setPanel} />
        </>
      )}
    </Dialog>
  );
}

/** Locked by a proctor. Without the network, staff can unlock it here with an offline code. */
export function LockedDialog(props: { k: KioskBridge; state: KioskState }) {
  const [panel, setPanel] = useState<Panel>(null);
  const offline = props.state.connection !== 'online' && !!props.state.offline?.codesAvailable;
  return (
    <Dialog title="Your exam is locked" role="alertdialog" tone="overlay">
      {panel === 'code' ? (
        <OfflineCodeForm k={props.k} action="unlock" onCancel={() => setPanel(null)} />
      ) : (
        <>
          <p class="lead">A proctor has locked your exam. The clock is stopped. Please stay at your desk and wait; a proctor will come to you.</p>
          <p class="muted">Your answers are safe.</p>
          <StaffActions codeLabel={offline ? 'Staff: unlock offline' : null} bundle={false} onPick={setPanel} />
        </>
      )}
    </Dialog>
  );
}

/**
 * The time ran out while the exam server cannot be reached (staff had let the candidate go on
 * offline, so the clock kept running): the server ends the attempt when it is reached again; until
 * then the candidate stops, and staff may hand the answers in on a USB stick.
 */
export function TimeUpOffline(props: { k: KioskBridge; state: KioskState }) {
  // Its own component: only it re-renders twice a second with the clock.
  const left = useSecondsLeft(props.state.clock);
  return left === 0 ? <TimeUpOfflineDialog k={props.k} state={props.state} /> : null;
}

function TimeUpOfflineDialog(props: { k: KioskBridge; state: KioskState }) {
  const [panel, setPanel] = useState<Panel>(null);
  const [handedIn, setHandedIn] = useState(false);
  return (
    <Dialog title="Time is up" role="alertdialog" tone="overlay">
      {panel === 'bundle' ? (
        <OfflineBundleForm k={props.k} defaultSubmit onCancel={() => setPanel(null)} onHandedIn={() => setHandedIn(true)} />
      ) : (
        <>
          <p class="lead">The time for your exam is over. Please stop writing.</p>
          <p class="muted">This computer cannot reach the exam server right now. Your answers are safe on it and go to the server when the connection is back{props.state.offline?.bundleAvailable ? ', or staff take them there on a USB stick' : ''}. Please stay at your desk.</p>
          {handedIn ? <p class="note note-ok">The exam was handed in on a USB stick.</p> : null}
          <StaffActions codeLabel={null} bundle={!!props.state.offline?.bundleAvailable} onPick={setPanel} />
        </>
      )}
    </Dialog>
  );
}
