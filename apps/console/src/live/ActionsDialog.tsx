import { ProctorAction, TransferRequest, type LiveSession } from '@invigil/contract';
import { isFinalStatus } from '@invigil/core';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { clock, time } from '../format.ts';
import { Link } from '../router.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { StatusBadge } from '../ui/bits.tsx';
import type { RoomStore, TileData } from './room-store.ts';

type Kind = ProctorAction['action'] | 'transfer';

interface ActionDef {
  kind: Kind;
  label: string;
  /** What the confirm button says. */
  verb: string;
  /** What the toast says once done. */
  done: string;
  explain: string;
  danger?: boolean;
}

const DEFS: Record<Kind, ActionDef> = {
  lock: { kind: 'lock', label: 'Lock', verb: 'Lock the session', done: 'locked', explain: 'The kiosk stops accepting answers and the clock stops until you unlock it.' },
  unlock: { kind: 'unlock', label: 'Unlock', verb: 'Unlock the session', done: 'unlocked', explain: 'The candidate can carry on; the clock runs again.' },
  pause: { kind: 'pause', label: 'Pause', verb: 'Pause the session', done: 'paused', explain: 'The clock stops. Only staff can resume a staff pause.' },
  resume: { kind: 'resume', label: 'Resume', verb: 'Resume the session', done: 'resumed', explain: 'The clock runs again from where it stopped.' },
  extend: { kind: 'extend', label: 'Extend time', verb: 'Extend the time', done: 'time extended', explain: 'Adds minutes to this candidate’s exam clock.' },
  message: { kind: 'message', label: 'Send message', verb: 'Send the message', done: 'message sent', explain: 'Shown on the candidate’s kiosk at its next heartbeat.' },
  transfer: { kind: 'transfer', label: 'Transfer to another desk', verb: 'Start the transfer', done: 'transfer started, resume code issued', explain: 'Pauses the session and gives a one-time resume code. The candidate signs in on the new desk and enters the code; answers carry over.' },
  force_submit: { kind: 'force_submit', label: 'Force submit', verb: 'Submit the exam now', done: 'exam submitted', explain: 'Ends the attempt and keeps the answers saved so far. This cannot be undone.', danger: true },
  terminate: { kind: 'terminate', label: 'Terminate', verb: 'Terminate the session', done: 'session terminated', explain: 'Ends the attempt as abandoned. This cannot be undone.', danger: true },
};

/** Which actions make sense for this session now. */
function available(s: LiveSession): Kind[] {
  if (isFinalStatus(s.status)) return [];
  const out: Kind[] = [s.isLocked ? 'unlock' : 'lock'];
  if (s.status === 'active') out.push('pause');
  if (s.status === 'paused') out.push('resume');
  out.push('extend', 'message', 'transfer', 'force_submit', 'terminate');
  return out;
}

interface InstructionStatus {
  id: string;
  type: string;
  message: string | null;
  issuedAt: string;
  deliveredAt: string | null;
  ackedAt: string | null;
}

/** What staff asked of this kiosk lately, and whether its heartbeats picked it up. */
function Instructions(props: { attemptId: string; version: number }) {
  const [list, setList] = useState<InstructionStatus[] | null>(null);
  useEffect(() => {
    let live = true;
    api.get<{ instructions: InstructionStatus[] }>(`/proctor/sessions/${encodeURIComponent(props.attemptId)}/instructions`).then(
      (r) => live && setList(r.instructions.slice(-4).reverse()),
      () => live && setList([]),
    );
    return () => {
      live = false;
    };
  }, [props.attemptId, props.version]);
  if (!list || list.length === 0) return null;
  return (
    <div class="instructions">
      <h3>Sent to the kiosk</h3>
      <ul class="plain-list small">
        {list.map((i) => (
          <li key={i.id}>
            <strong>{i.type}</strong>
            {i.message ? ` “${i.message}”` : ''} <span class="muted">at {time(i.issuedAt)}</span> —{' '}
            {i.ackedAt ? <span class="ok-text">acknowledged {time(i.ackedAt)}</span> : i.deliveredAt ? <span>delivered {time(i.deliveredAt)}</span> : <span class="warn-text">waiting for its next heartbeat</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ActionsDialog(props: { tile: TileData; store: RoomStore; status: Parameters<typeof StatusBadge>[0]['status']; onClose: () => void; onDone: (text: string) => void }) {
  const { s } = props.tile;
  const [kind, setKind] = useState<Kind | null>(null);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('10');
  const [message, setMessage] = useState('');
  const [seat, setSeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState<{ resumeCode: string; expiresAt: string } | null>(null);
  const who = s.candidate.name || s.candidate.id;

  if (code) {
    return (
      <Dialog title={`Transfer ${who}`} onClose={props.onClose} wide describedBy="resume-code-help">
        <p id="resume-code-help">Read this one-time code out to the candidate. They sign in on the new desk and enter it there. It works once.</p>
        <p class="resume-code" aria-label={`Resume code ${code.resumeCode.split('').join(' ')}`} data-testid="resume-code">
          {code.resumeCode.split('-').map((g, i, all) => (
            <span key={i}>
              {g}
              {i < all.length - 1 ? '-' : ''}
            </span>
          ))}
        </p>
        <p class="muted">
          Valid once, until {time(code.expiresAt)}.{seat ? ` New seat: ${seat}.` : ''}
        </p>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => void navigator.clipboard?.writeText(code.resumeCode)}>
            Copy code
          </button>
          <button type="button" class="btn btn-primary" onClick={props.onClose} data-autofocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  const def = kind ? DEFS[kind] : null;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!kind || !def) return;
    setError(null);
    let body: unknown;
    if (kind === 'transfer') {
      const parsed = TransferRequest.safeParse({ reason, ...(seat.trim() ? { seat: seat.trim() } : {}) });
      if (!parsed.success) return setError(parsed.error.issues.map((i) => i.message).join('; '));
      body = parsed.data;
    } else {
      const candidate: Record<string, unknown> = { action: kind, reason };
      if (kind === 'extend') candidate.minutes = Number(minutes);
      if (kind === 'message') {
        candidate.message = message;
        if (!reason.trim()) delete candidate.reason;
      }
      const parsed = ProctorAction.safeParse(candidate);
      if (!parsed.success) return setError(parsed.error.issues.map((i) => `${i.path.join('.') === 'reason' ? 'Reason' : i.path.join('.') || 'Value'}: ${i.message}`).join('; '));
      body = parsed.data;
    }
    setBusy(true);
    try {
      if (kind === 'transfer') {
        const r = await api.post<{ resumeCode: string; expiresAt: string }>(`/proctor/sessions/${encodeURIComponent(s.attemptId)}/transfer`, body);
        setCode(r);
        props.onDone(`${who}: ${def.done}.`);
        void props.store.resync(true);
      } else {
        const r = await api.post<LiveSession>(`/proctor/sessions/${encodeURIComponent(s.attemptId)}/actions`, body);
        props.store.put(r);
        props.onDone(`${who}: ${def.done}.`);
        props.onClose();
      }
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const kinds = available(s);
  return (
    <Dialog title={def ? `${def.label}: ${who}` : `Actions: ${who}`} onClose={props.onClose} tone={def?.danger ? 'danger' : 'normal'}>
      <div class="dialog-summary">
        <StatusBadge status={props.status} />
        <span>{s.seat ? `Seat ${s.seat}` : 'No seat'}</span>
        <span class="muted">{s.candidate.id}</span>
        <span class="num">{clock(props.store.remaining(props.tile))} left</span>
      </div>
      {!def ? (
        kinds.length === 0 ? (
          <p>This session has ended; nothing more can be done to it.</p>
        ) : (
          <div class="action-grid" role="group" aria-label="Choose an action">
            {kinds.map((k) => (
              <button key={k} type="button" class={`btn action-btn${DEFS[k].danger ? ' btn-danger-outline' : ''}`} onClick={() => setKind(k)}>
                {DEFS[k].label}
              </button>
            ))}
          </div>
        )
      ) : (
        <form onSubmit={submit} class="action-form">
          <p>{def.explain}</p>
          {kind === 'transfer' && s.isLocked ? (
            <p class="note note-error">This session is locked: the new desk cannot resume it until you unlock it. Unlock first, or unlock once the candidate has moved.</p>
          ) : null}
          {kind === 'extend' ? (
            <label class="field">
              <span>Minutes to add</span>
              <input type="number" min={1} max={600} step={1} required value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
            </label>
          ) : null}
          {kind === 'message' ? (
            <label class="field">
              <span>Message to the candidate</span>
              <textarea rows={3} required maxLength={2000} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            </label>
          ) : null}
          {kind === 'transfer' ? (
            <label class="field">
              <span>New seat (optional)</span>
              <input value={seat} maxLength={50} onInput={(e) => setSeat(e.currentTarget.value)} />
            </label>
          ) : null}
          <label class="field">
            <span>Reason{kind === 'message' ? ' (optional)' : ''}</span>
            <textarea rows={2} required={kind !== 'message'} minLength={kind === 'message' ? undefined : 3} maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="Recorded in the audit trail" />
          </label>
          {error ? (
            <p class="note note-error" role="alert">
              {error}
            </p>
          ) : null}
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => (setKind(null), setError(null))}>
              Back
            </button>
            <button type="submit" class={`btn ${def.danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
              {busy ? 'Working…' : def.verb}
            </button>
          </div>
        </form>
      )}
      {!def ? <Instructions attemptId={s.attemptId} version={props.tile.version} /> : null}
      {!def ? (
        <p class="dialog-foot">
          <Link href={`/review/${encodeURIComponent(s.attemptId)}`}>Open the session detail</Link>
        </p>
      ) : null}
    </Dialog>
  );
}
