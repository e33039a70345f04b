import type { RoomActionResponse } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { Dialog } from '../ui/Dialog.tsx';

type Kind = RoomActionResponse['action'];

const DEFS: Record<Kind, { label: string; verb: string; explain: string; needs: 'reason' | 'message' | 'minutes' }> = {
  pause: { label: 'Pause room', verb: 'Pause every running session', explain: 'Fire alarm, evacuation: every clock in the room stops. Only staff can resume.', needs: 'reason' },
  resume: { label: 'Resume room', verb: 'Resume every staff-paused session', explain: 'Every session staff paused runs again from where it stopped.', needs: 'reason' },
  message: { label: 'Message all', verb: 'Send to every kiosk', explain: 'Shown on every kiosk of the room at its next heartbeat.', needs: 'message' },
  extend: { label: 'Extend all', verb: 'Extend every session', explain: 'Adds minutes to every unfinished session of the room.', needs: 'minutes' },
  lock: { label: 'Lock all screens', verb: 'Lock every session', explain: 'Every kiosk stops accepting answers and its clock stops until unlocked.', needs: 'reason' },
};
export const ROOM_ACTIONS = Object.keys(DEFS) as Kind[];

/** A whole-room action: one request, the same action on every kiosk of the room, with its counts. */
export function RoomActionsDialog(props: { rooms: { id: string; name: string }[]; roomId: string; examId?: string; initial: Kind; onClose: () => void; onDone: (text: string) => void }) {
  const [kind, setKind] = useState<Kind>(props.initial);
  const [roomId, setRoomId] = useState(props.roomId || props.rooms[0]?.id || '');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState('');
  const [minutes, setMinutes] = useState('10');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<RoomActionResponse | null>(null);
  const [delivered, setDelivered] = useState<{ issued: number; delivered: number; acknowledged: number } | null>(null);
  const def = DEFS[kind];
  const roomName = props.rooms.find((r) => r.id === roomId)?.name ?? 'this room';

  useEffect(() => {
    if (!result) return;
    let live = true;
    const poll = async () => {
      try {
        const d = await api.get<{ issued: number; delivered: number; acknowledged: number }>(`/proctor/rooms/${encodeURIComponent(result.roomId)}/actions/${encodeURIComponent(result.batchId)}`);
        if (live) setDelivered(d);
      } catch {
        /* shown on the next poll */
      }
    };
    void poll();
    const t = setInterval(() => void poll(), 2_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [result]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = def.needs === 'message' ? { message } : def.needs === 'minutes' ? { minutes: Number(minutes), reason } : { reason };
      const r = await api.post<RoomActionResponse>(`/proctor/rooms/${encodeURIComponent(roomId)}/${kind}`, { ...body, ...(props.examId ? { examId: props.examId } : {}) });
      setResult(r);
      props.onDone(`${def.label}: ${r.affected} of ${r.matched} session${r.matched === 1 ? '' : 's'} in ${roomName}`);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={result ? `${def.label} — done` : `${def.label}: ${roomName}`} onClose={props.onClose} tone={kind === 'lock' || kind === 'pause' ? 'danger' : 'normal'}>
      {result ? (
        <div class="room-action-result" data-testid="room-action-result">
          <p class="big-count">
            <strong>{result.affected}</strong> of {result.matched} session{result.matched === 1 ? '' : 's'} {kind === 'message' ? 'messaged' : `${kind === 'pause' ? 'paused' : kind === 'resume' ? 'resumed' : kind === 'lock' ? 'locked' : 'extended'}`}
          </p>
          <p data-testid="room-action-delivery">
            {delivered ? (
              <>
                Delivered to <strong>{delivered.delivered}</strong> of {delivered.issued} kiosk{delivered.issued === 1 ? '' : 's'}, acknowledged by {delivered.acknowledged}
              </>
            ) : (
              'Waiting for the kiosks’ heartbeats…'
            )}
          </p>
          {result.skipped.length ? (
            <details>
              <summary>{result.skipped.length} not changed</summary>
              <ul class="plain-list small">
                {result.skipped.map((x) => (
                  <li key={x.attemptId}>
                    {x.candidateId}: {x.reason}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
          <div class="dialog-actions">
            <button type="button" class="btn btn-primary" onClick={props.onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit}>
          <div class="chips" role="group" aria-label="Room action">
            {ROOM_ACTIONS.map((k) => (
              <button key={k} type="button" class={`chip${k === kind ? ' chip-on' : ''}`} aria-pressed={k === kind} onClick={() => setKind(k)}>
                {DEFS[k].label}
              </button>
            ))}
          </div>
          <p class="muted">{def.explain}</p>
          {props.rooms.length > 1 ? (
            <label class="field">
              <span>Room</span>
              <select value={roomId} onChange={(e) => setRoomId(e.currentTarget.value)} required>
                {props.rooms.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {def.needs === 'message' ? (
            <label class="field">
              <span>Message to every kiosk</span>
              <textarea required maxLength={2000} rows={3} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            </label>
          ) : (
            <>
              {def.needs === 'minutes' ? (
                <label class="field">
                  <span>Minutes</span>
                  <input type="number" min={1} max={600} required value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
                </label>
              ) : null}
              <label class="field">
                <span>Reason (audited)</span>
                <textarea required minLength={3} maxLength={1000} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
              </label>
            </>
          )}
          {error ? (
            <p class="note note-error" role="alert">
              {error}
            </p>
          ) : null}
          <div class="dialog-actions">
            <button type="button" class="btn btn-quiet" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit" class={`btn ${kind === 'lock' || kind === 'pause' ? 'btn-danger' : 'btn-primary'}`} disabled={busy || !roomId}>
              {def.verb}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
