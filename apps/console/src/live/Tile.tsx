import type { LiveSession } from '@invigil/contract';
import { Component } from 'preact';
import { ago, clock, deviceKind } from '../format.ts';
import { STATUS_LABEL, type TileStatus } from './status.ts';
import { StatusBadge } from '../ui/bits.tsx';

export interface TileProps {
  s: LiveSession;
  version: number;
  status: TileStatus;
  secondsSince: number | null;
  remaining: number;
  /** Recently changed: highlighted for a few seconds. */
  fresh: boolean;
  /** The candidate raised a hand (an open help_requested alert). */
  helpRequested?: boolean;
  onOpen: (attemptId: string) => void;
}

/** One seat. Re-renders only when something it shows changed (300 tiles tick every second). */
export class Tile extends Component<TileProps> {
  override shouldComponentUpdate(n: TileProps): boolean {
    const p = this.props;
    return p.version !== n.version || p.status !== n.status || p.secondsSince !== n.secondsSince || p.remaining !== n.remaining || p.fresh !== n.fresh || p.s !== n.s || p.helpRequested !== n.helpRequested;
  }

  override render() {
    const { s, status, secondsSince, remaining, fresh } = this.props;
    const finished = status === 'submitted' || status === 'ended';
    const statusText = status === 'ended' ? (s.status === 'expired' ? 'Expired' : 'Terminated') : STATUS_LABEL[status].label;
    const late = status === 'active' && secondsSince !== null && secondsSince >= 15;
    const low = !finished && remaining <= 300;
    const label = `${s.seat ? `Seat ${s.seat}, ` : ''}${s.candidate.name || s.candidate.id}: ${statusText}`;
    return (
      <li class={`tile tile-${status}${fresh ? ' tile-fresh' : ''}`} data-attempt={s.attemptId} data-status={status}>
        <article
          aria-label={label}
          onClick={(e) => {
            // A click anywhere on the tile opens its actions (the button is the keyboard way in).
            if (!(e.target as HTMLElement).closest('button, a')) this.props.onOpen(s.attemptId);
          }}
        >
          <div class="tile-top">
            <span class={`tile-seat${s.seat ? '' : ' tile-seat-none'}`} title={s.seat ? `Seat ${s.seat}` : 'No seat assigned'}>
              {s.seat ? s.seat : 'No seat'}
            </span>
            <StatusBadge status={status} text={statusText} />
          </div>
          <h3 class="tile-name" title={s.candidate.name}>
            {s.candidate.name || s.candidate.id}
          </h3>
          <p class="tile-id muted">{s.candidate.id}</p>
          <dl class="tile-facts">
            <div>
              <dt>Time left</dt>
              <dd class={`num${low ? ' warn-text' : ''}`}>{finished ? '—' : clock(remaining)}</dd>
            </div>
            <div>
              <dt>Heartbeat</dt>
              <dd class={`num${late ? ' warn-text' : ''}`}>
                {finished ? (
                  '—'
                ) : secondsSince === null ? (
                  'none yet'
                ) : (
                  <>
                    {ago(secondsSince)}
                    <span class="ago"> ago</span>
                  </>
                )}
              </dd>
            </div>
          </dl>
          <div class="tile-flags">
            {this.props.helpRequested ? (
              <span class="flag flag-help">Hand raised: help requested</span>
            ) : null}
            {s.isLocked && s.lockReason ? <span class="flag flag-locked">Locked: {s.lockReason}</span> : null}
            {s.openAlerts > 0 ? (
              <span class="flag flag-alert">
                <span aria-hidden="true">⚠ </span>
                {s.openAlerts} open alert{s.openAlerts === 1 ? '' : 's'}
              </span>
            ) : null}
            {s.transferPending ? <span class="flag flag-transfer">Transfer pending</span> : null}
          </div>
          <div class="tile-bottom">
            <span class="tile-device" title={`${s.device.browser}\nfingerprint ${s.device.fingerprint}\nIP ${s.device.ip}`}>
              <span class="sr-only">Device: </span>
              {deviceKind(s.device.browser)}
              {s.device.bound ? ' · key bound' : ''}
            </span>
            <button type="button" class="btn tile-action" onClick={() => this.props.onOpen(s.attemptId)} aria-label={`Actions for ${s.candidate.name || s.candidate.id}`}>
              Actions…
            </button>
          </div>
        </article>
      </li>
    );
  }
}
