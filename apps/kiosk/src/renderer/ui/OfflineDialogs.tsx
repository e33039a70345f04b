import type { KioskState } from '@invigil/contract';
import { useState } from 'preact/hooks';
import type { KioskBridge } from '../kiosk-api.ts';
import { Dialog } from './Dialog.tsx';
import { OfflineBundleForm, OfflineCodeForm } from './OfflineStaff.tsx';

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

/** Offline past the pause threshold: the exam is held. Staff may let it go on offline, or save the answers to a USB stick. */
export function HeldDialog(props: { k: KioskBridge; state: KioskState }) {
  const [panel, setPanel] = useState<Panel>(null);
  const [handedIn, setHandedIn] = useState(false);
  const o = props.state.offline;
  return (
    <Dialog title="Your exam is paused: the connection is lost" role="alertdialog" tone="overlay">
      {panel === 'code' ? (
        <OfflineCodeForm k={props.k} action="continue" onCancel={() => setPanel(null)} />
      ) : panel === 'bundle' ? (
        <OfflineBundleForm k={props.k} onCancel={() => setPanel(null)} onHandedIn={() => setHandedIn(true)} />
      ) : (
        <>
          <p class="lead">The clock is stopped and no time is lost. Your exam continues when this computer reaches the exam server again.</p>
          <p class="muted">Your answers so far are safe on this computer. Please stay at your desk; if this takes long, raise your hand.</p>
          {handedIn ? <p class="note note-ok">The exam was handed in on a USB stick. No more answers are taken on this computer.</p> : null}
          <StaffActions codeLabel={o?.codesAvailable && !handedIn ? 'Staff: continue offline' : null} bundle={!!o?.bundleAvailable} onPick={setPanel} />
        </>
      )}
    </Dialog>
  );
}

/** Restarted mid-exam without the server: answers wait for the server, or for a staff "continue" code. */
export function ContinueNeededDialog(props: { k: KioskBridge; state: KioskState }) {
  const [panel, setPanel] = useState<Panel>(null);
  const [handedIn, setHandedIn] = useState(false);
  const o = props.state.offline;
  return (
    <Dialog title="Waiting for the exam server" role="alertdialog" tone="overlay">
      {panel === 'code' ? (
        <OfflineCodeForm k={props.k} action="continue" onCancel={() => setPanel(null)} />
      ) : panel === 'bundle' ? (
        <OfflineBundleForm k={props.k} onCancel={() => setPanel(null)} onHandedIn={() => setHandedIn(true)} />
      ) : (
        <>
          <p class="lead">This computer restarted. Your answers are safe on it. Your exam continues when the exam server is reached again, or when a proctor lets it continue.</p>
          <p class="muted">Please stay at your desk; if this takes long, raise your hand.</p>
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

/** On the end screen while the network is gone: the finished exam goes to the server on a USB stick. */
export function FinishedOfflineBundle(props: { k: KioskBridge; state: KioskState }) {
  const [open, setOpen] = useState(false);
  if (!props.state.offline?.bundleAvailable || props.state.connection === 'online') return null;
  return (
    <>
      <p class="note note-warn">This computer cannot reach the exam server, so the answers may not have reached it yet. Staff can take them to the server on a USB stick.</p>
      <div class="actions actions-center">
        <button type="button" class="btn" onClick={() => setOpen(true)}>
          Staff: save answers to a USB stick
        </button>
      </div>
      {open ? (
        <Dialog title="Save the answers to a USB stick" onClose={() => setOpen(false)}>
          <OfflineBundleForm k={props.k} defaultSubmit onCancel={() => setOpen(false)} />
        </Dialog>
      ) : null}
    </>
  );
}
