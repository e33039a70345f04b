import type { Alert, LiveSession } from '@invigil/contract';
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
  /** Open alerts of this seat (severity and kind shown on the tile). */
  alerts?: Alert[];
  /** A proctor checked the candidate's ID. */
  idChecked?: boolean;
  /** Arrived late (attendance). */
  late?: boolean;
  /** "Show seat" from the alerts feed: outlined until the proctor moves on. */
  highlight?: boolean;
}

/** Short words for alert kinds: what happened, not how it was detected. */
export const KIND_LABEL: Record<string, string> = {
  remote_access: 'Remote access',
  forbidden_process: 'Forbidden program',
  display_count: 'Extra display',
  vm_suspected: 'Virtual machine',
  focus_lost: 'Focus lost',
  shortcut_blocked: 'Key chord blocked',
  clipboard_blocked: 'Clipboard blocked',
  device_mismatch: 'Other device',
  offline: 'Offline',
  heartbeat_replay: 'Replayed heartbeat',
  heartbeat_seq_jump: 'Heartbeat jump',
  server_outage: 'Server outage',
};
export const kindLabel = (k: string) => KIND_LABEL[k] ?? k.replaceAll('_', ' ');
const hm = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const SEV_RANK = { critical: 0, warning: 1, info: 2 } as const;
const alertsKey = (a: Alert[] | undefined) => (a ?? []).map((x) => `${x.id}:${x.count}`).join(',');

/** One seat. Re-renders only when something it shows changed (300 tiles tick every second). */
export class Tile extends Component<TileProps> {
  override shouldComponentUpdate(n: TileProps): boolean {
    const p = this.props;
    return (
      p.version !== n.version ||
      p.status !== n.status ||
      p.secondsSince !== n.secondsSince ||
      p.remaining !== n.remaining ||
      p.fresh !== n.fresh ||
      p.s !== n.s ||
      p.idChecked !== n.idChecked ||
      p.late !== n.late ||
      p.highlight !== n.highlight ||
      p.helpRequested !== n.helpRequested ||
      alertsKey(p.alerts) !== alertsKey(n.alerts)
    );
  }

  override render() {
    const { s, status, secondsSince, remaining, fresh } = this.props;
    const finished = status === 'submitted' || status === 'ended';
    const statusText = status === 'ended' ? (s.status === 'expired' ? 'Expired' : 'Terminated') : STATUS_LABEL[status].label;
    const late = status === 'active' && secondsSince !== null && secondsSince >= 15;
    const low = !finished && remaining <= 300;
    const label = `${s.seat ? `Seat ${s.seat}, ` : ''}${s.candidate.name || s.candidate.id}: ${statusText}`;
    const alerts = [...(this.props.alerts ?? [])].sort((a, b) => SEV_RANK[a.severity] - SEV_RANK[b.severity]);
    const worst = alerts[0]?.severity;
    const p = s.progress;
    return (
      <li class={`tile tile-${status}${fresh ? ' tile-fresh' : ''}${worst ? ` tile-sev-${worst}` : ''}${this.props.highlight ? ' tile-highlight' : ''}`} data-attempt={s.attemptId} data-status={status}>
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
              <dt>
                Time left
                {s.extraSeconds ? (
                  <span class="extra" title={`includes ${Math.round(s.extraSeconds / 60)} min extra time`}>
                    {' '}
                    +{Math.round(s.extraSeconds / 60)} min
                  </span>
                ) : null}
              </dt>
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
          {p ? (
            <p class="tile-progress" data-testid="progress">
              <span class="num">
                {p.answered}/{p.total}
              </span>
              <span class="word"> answered</span>
              {p.lastSaveAt ? <span class="muted"> · saved {hm.format(new Date(p.lastSaveAt))}</span> : null}
              <span class="bar" aria-hidden="true">
                <span style={{ width: `${p.total ? Math.round((100 * p.answered) / p.total) : 0}%` }} />
              </span>
            </p>
          ) : null}
          <div class="tile-flags">
            {this.props.helpRequested ? <span class="flag flag-help">Hand raised: help requested</span> : null}
            {this.props.idChecked ? <span class="flag flag-id" title="ID checked">ID ✓</span> : null}
            {this.props.late ? <span class="flag flag-late">Late</span> : null}
            {s.isLocked && s.lockReason ? <span class="flag flag-locked">Locked: {s.lockReason}</span> : null}
            {alerts.length > 0
              ? [...new Map(alerts.map((a) => [a.kind, a])).values()].slice(0, 2).map((a) => (
                  <span key={a.id} class={`flag flag-sev flag-${a.severity}`} title={a.message}>
                    <span aria-hidden="true">{a.severity === 'critical' ? '‼ ' : '⚠ '}</span>
                    <span class="sr-only">{a.severity}: </span>
                    {kindLabel(a.kind)}
                  </span>
                ))
              : s.openAlerts > 0 ? (
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
