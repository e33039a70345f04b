import type { RoomActionResponse } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { t, useLang } from '../i18n/index.ts';

type Kind = RoomActionResponse['action'];

const NEEDS: Record<Kind, 'reason' | 'message' | 'minutes'> = { pause: 'reason', resume: 'reason', message: 'message', extend: 'minutes', lock: 'reason' };
/** The words come from the message catalog at each read (they follow the language switch). */
const DEFS = Object.fromEntries(
  (Object.keys(NEEDS) as Kind[]).map((k) => [
    k,
    {
      get label() {
        return t(`ra.${k}.label`);
      },
      get verb() {
        return t(`ra.${k}.verb`);
      },
      get explain() {
        return t(`ra.${k}.explain`);
      },
      needs: NEEDS[k],
    },
  ]),
) as Record<Kind, { label: string; verb: string; explain: string; needs: 'reason' | 'message' | 'minutes' }>;
export const ROOM_ACTIONS = Object.keys(DEFS) as Kind[];

/** A whole-room action: one request, the same action on every kiosk of the room, with its counts. */
export function RoomActionsDialog(props: { rooms: { id: string; name: string }[]; roomId: string; examId?: string; initial: Kind; onClose: () => void; onDone: (text: string) => void }) {
  useLang();
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
  const roomName = props.rooms.find((r) => r.id === roomId)?.name ?? t('ra.thisRoom');

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
    const timer = setInterval(() => void poll(), 2_000);
    return () => {
      live = false;
      clearInterval(timer);
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
      props.onDone(t('ra.toast', { label: def.label, affected: r.affected, matched: r.matched, room: roomName }));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={result ? t('ra.doneTitle', { label: def.label }) : `${def.label}: ${roomName}`} onClose={props.onClose} tone={kind === 'lock' || kind === 'pause' ? 'danger' : 'normal'}>
      {result ? (
        <div class="room-action-result" data-testid="room-action-result">
          <p class="big-count">
            <strong>{result.affected}</strong>
            {t('ra.of', { matched: result.matched })}
            {t(`ra.did.${kind}`)}
          </p>
          <p data-testid="room-action-delivery">
            {delivered ? (
              <>
                {t('ra.deliveredTo')}
                <strong>{delivered.delivered}</strong>
                {t('ra.deliveredOf', { issued: delivered.issued, acked: delivered.acknowledged })}
              </>
            ) : (
              t('ra.waiting')
            )}
          </p>
          {result.skipped.length ? (
            <details>
              <summary>{t('ra.skipped', { n: result.skipped.length })}</summary>
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
              {t('act.doneBtn')}
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit}>
          <div class="chips" role="group" aria-label={t('ra.aria')}>
            {ROOM_ACTIONS.map((k) => (
              <button key={k} type="button" class={`chip${k === kind ? ' chip-on' : ''}`} aria-pressed={k === kind} onClick={() => setKind(k)}>
                {DEFS[k].label}
              </button>
            ))}
          </div>
          <p class="muted">{def.explain}</p>
          {props.rooms.length > 1 ? (
            <label class="field">
              <span>{t('ra.room')}</span>
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
              <span>{t('ra.messageField')}</span>
              <textarea required maxLength={2000} rows={3} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            </label>
          ) : (
            <>
              {def.needs === 'minutes' ? (
                <label class="field">
                  <span>{t('ra.minutes')}</span>
                  <input type="number" min={1} max={600} required value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
                </label>
              ) : null}
              <label class="field">
                <span>{t('ra.reason')}</span>
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
              {t('ra.cancel')}
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
