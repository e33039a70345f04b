import { ProctorAction, TransferRequest, type LiveSession } from '@invigil/contract';
import { isFinalStatus } from '@invigil/core';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { clock, time } from '../format.ts';
import { Link } from '../router.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { StatusBadge } from '../ui/bits.tsx';
import type { RoomStore, TileData } from './room-store.ts';
import { t, useLang } from '../i18n/index.ts';

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

const KINDS: Kind[] = ['lock', 'unlock', 'pause', 'resume', 'extend', 'message', 'transfer', 'force_submit', 'terminate'];
/** The words come from the message catalog at each read (they follow the language switch). */
const DEFS = Object.fromEntries(
  KINDS.map((kind) => [
    kind,
    {
      kind,
      get label() {
        return t(`act.${kind}.label`);
      },
      get verb() {
        return t(`act.${kind}.verb`);
      },
      get done() {
        return t(`act.${kind}.done`);
      },
      get explain() {
        return t(`act.${kind}.explain`);
      },
      danger: kind === 'force_submit' || kind === 'terminate',
    },
  ]),
) as Record<Kind, ActionDef>;

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
  useLang();
  if (!list || list.length === 0) return null;
  return (
    <div class="instructions">
      <h3>{t('act.sent')}</h3>
      <ul class="plain-list small">
        {list.map((i) => (
          <li key={i.id}>
            <strong>{i.type}</strong>
            {i.message ? ` “${i.message}”` : ''} <span class="muted">{t('act.at', { time: time(i.issuedAt) })}</span> —{' '}
            {i.ackedAt ? <span class="ok-text">{t('act.acked', { time: time(i.ackedAt) })}</span> : i.deliveredAt ? <span>{t('act.delivered', { time: time(i.deliveredAt) })}</span> : <span class="warn-text">{t('act.waiting')}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ActionsDialog(props: { tile: TileData; store: RoomStore; status: Parameters<typeof StatusBadge>[0]['status']; onClose: () => void; onDone: (text: string) => void }) {
  useLang();
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
      <Dialog title={t('act.transferTitle', { who })} onClose={props.onClose} wide describedBy="resume-code-help">
        <p id="resume-code-help">{t('act.codeHelp')}</p>
        <p class="resume-code" aria-label={t('act.codeAria', { code: code.resumeCode.split('').join(' ') })} data-testid="resume-code">
          {code.resumeCode.split('-').map((g, i, all) => (
            <span key={i}>
              {g}
              {i < all.length - 1 ? '-' : ''}
            </span>
          ))}
        </p>
        <p class="muted">
          {t('act.validUntil', { time: time(code.expiresAt) })}
          {seat ? t('act.newSeat', { seat }) : ''}
        </p>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => void navigator.clipboard?.writeText(code.resumeCode)}>
            {t('act.copy')}
          </button>
          <button type="button" class="btn btn-primary" onClick={props.onClose} data-autofocus>
            {t('act.doneBtn')}
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
      if (!parsed.success) return setError(parsed.error.issues.map((i) => `${i.path.join('.') === 'reason' ? t('act.reason') : i.path.join('.') || t('act.value')}: ${i.message}`).join('; '));
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
    <Dialog title={def ? `${def.label}: ${who}` : t('act.title', { who })} onClose={props.onClose} tone={def?.danger ? 'danger' : 'normal'}>
      <div class="dialog-summary">
        <StatusBadge status={props.status} />
        <span>{s.seat ? t('tile.seat', { seat: s.seat }) : t('tile.noSeat')}</span>
        <span class="muted">{s.candidate.id}</span>
        <span class="num">{t('act.left', { clock: clock(props.store.remaining(props.tile)) })}</span>
      </div>
      {!def ? (
        kinds.length === 0 ? (
          <p>{t('act.ended')}</p>
        ) : (
          <div class="action-grid" role="group" aria-label={t('act.choose')}>
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
            <p class="note note-error">{t('act.lockedTransfer')}</p>
          ) : null}
          {kind === 'extend' ? (
            <label class="field">
              <span>{t('act.minutes')}</span>
              <input type="number" min={1} max={600} step={1} required value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
            </label>
          ) : null}
          {kind === 'message' ? (
            <label class="field">
              <span>{t('act.messageField')}</span>
              <textarea rows={3} required maxLength={2000} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            </label>
          ) : null}
          {kind === 'transfer' ? (
            <label class="field">
              <span>{t('act.seatField')}</span>
              <input value={seat} maxLength={50} onInput={(e) => setSeat(e.currentTarget.value)} />
            </label>
          ) : null}
          <label class="field">
            <span>{kind === 'message' ? t('act.reasonOptional') : t('act.reason')}</span>
            <textarea rows={2} required={kind !== 'message'} minLength={kind === 'message' ? undefined : 3} maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder={t('act.reasonPlaceholder')} />
          </label>
          {error ? (
            <p class="note note-error" role="alert">
              {error}
            </p>
          ) : null}
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => (setKind(null), setError(null))}>
              {t('act.back')}
            </button>
            <button type="submit" class={`btn ${def.danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
              {busy ? t('act.working') : def.verb}
            </button>
          </div>
        </form>
      )}
      {!def ? <Instructions attemptId={s.attemptId} version={props.tile.version} /> : null}
      {!def ? (
        <p class="dialog-foot">
          <Link href={`/review/${encodeURIComponent(s.attemptId)}`}>{t('act.detail')}</Link>
        </p>
      ) : null}
    </Dialog>
  );
}
