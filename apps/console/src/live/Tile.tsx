import type { Alert, LiveSession } from '@invigil/contract';
import { Component } from 'preact';
import { ago, clock, deviceKind, hourMinute } from '../format.ts';
import { STATUS_LABEL, type TileStatus } from './status.ts';
import { StatusBadge } from '../ui/bits.tsx';
import { getLang, t, type MessageKey } from '../i18n/index.ts';
import { en } from '../i18n/en.ts';

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
export const kindLabel = (k: string): string => (`kind.${k}` in en ? t(`kind.${k}` as MessageKey) : k.replaceAll('_', ' '));
/** "+15 min planned · 10 min breaks" (the registration's accommodations), apart from "+5 min extension" and incident time. */
export function TimeFacts(props: { plannedExtraMinutes: number; restBreakMinutes: number; extensionSeconds?: number; incidentSeconds?: number }) {
  const planned = [props.plannedExtraMinutes > 0 ? t('tile.planned', { n: props.plannedExtraMinutes }) : null, props.restBreakMinutes > 0 ? t('tile.breaks', { n: props.restBreakMinutes }) : null].filter(Boolean);
  const ext = Math.round((props.extensionSeconds ?? 0) / 60);
  const inc = Math.round((props.incidentSeconds ?? 0) / 60);
  if (planned.length === 0 && ext === 0 && inc === 0) return null;
  return (
    <p class="tile-time-facts" data-testid="time-facts">
      {planned.length ? (
        <span class="flag flag-acc" title={t('tile.plannedTitle')} data-testid="accommodations">
          {planned.join(' · ')}
        </span>
      ) : null}
      {ext > 0 ? (
        <span class="flag flag-ext" title={t('tile.extensionTitle')} data-testid="extension">
          {t('tile.extension', { n: ext })}
        </span>
      ) : null}
      {inc > 0 ? (
        <span class="flag flag-inc" title={t('tile.incidentTitle')} data-testid="incident">
          {t('tile.incident', { n: inc })}
        </span>
      ) : null}
    </p>
  );
}
const SEV_RANK = { critical: 0, warning: 1, info: 2 } as const;
const alertsKey = (a: Alert[] | undefined) => (a ?? []).map((x) => `${x.id}:${x.count}`).join(',');

/** One seat. Re-renders only when something it shows changed (300 tiles tick every second). */
export class Tile extends Component<TileProps> {
  private lang = getLang();
  override shouldComponentUpdate(n: TileProps): boolean {
    const p = this.props;
    return (
      this.lang !== getLang() ||
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
    this.lang = getLang();
    const acc = s.accommodations;
    const finished = status === 'submitted' || status === 'ended';
    const statusText = status === 'ended' ? (s.status === 'expired' ? t('live.status.expired') : t('live.status.terminated')) : STATUS_LABEL[status].label;
    const late = status === 'active' && secondsSince !== null && secondsSince >= 15;
    const low = !finished && remaining <= 300;
    const label = `${s.seat ? `${t('tile.seat', { seat: s.seat })}, ` : ''}${s.candidate.name || s.candidate.id}: ${statusText}`;
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
            <span class={`tile-seat${s.seat ? '' : ' tile-seat-none'}`} title={s.seat ? t('tile.seat', { seat: s.seat }) : t('tile.noSeatAssigned')}>
              {s.seat ? s.seat : t('tile.noSeat')}
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
                {t('tile.timeLeft')}
                {s.extraSeconds ? (
                  <span class="extra" title={t('tile.extraTitle', { n: Math.round(s.extraSeconds / 60) })}>
                    {' '}
                    +{Math.round(s.extraSeconds / 60)} min
                  </span>
                ) : null}
              </dt>
              <dd class={`num${low ? ' warn-text' : ''}`}>{finished ? '—' : clock(remaining)}</dd>
            </div>
            <div>
              <dt>{t('tile.heartbeat')}</dt>
              <dd class={`num${late ? ' warn-text' : ''}`}>
                {finished ? (
                  '—'
                ) : secondsSince === null ? (
                  t('tile.noneYet')
                ) : (
                  <>
                    {t('tile.agoBefore') ? <span class="ago">{t('tile.agoBefore')}</span> : null}
                    {ago(secondsSince)}
                    <span class="ago">{t('tile.ago')}</span>
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
              <span class="word">{t('tile.answered')}</span>
              {p.lastSaveAt ? <span class="muted">{t('tile.saved', { time: hourMinute(p.lastSaveAt) })}</span> : null}
              <span class="bar" aria-hidden="true">
                <span style={{ width: `${p.total ? Math.round((100 * p.answered) / p.total) : 0}%` }} />
              </span>
            </p>
          ) : null}
          {acc ? <TimeFacts plannedExtraMinutes={acc.plannedExtraMinutes} restBreakMinutes={acc.restBreakMinutes} extensionSeconds={acc.extensionSeconds} incidentSeconds={s.incidentSeconds} /> : null}
          <div class="tile-flags">
            {this.props.helpRequested ? <span class="flag flag-help">{t('tile.help')}</span> : null}
            {this.props.idChecked ? <span class="flag flag-id" title={t('tile.idChecked')}>{t('tile.id')} ✓</span> : null}
            {this.props.late ? <span class="flag flag-late">{t('tile.late')}</span> : null}
            {s.isLocked && s.lockReason ? <span class="flag flag-locked">{t('tile.lockedBecause', { reason: s.lockReason })}</span> : null}
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
                  {s.openAlerts === 1 ? t('tile.openAlert') : t('tile.openAlerts', { n: s.openAlerts })}
                </span>
              ) : null}
            {s.transferPending ? <span class="flag flag-transfer">{t('tile.transfer')}</span> : null}
          </div>
          <div class="tile-bottom">
            <span class="tile-device" title={`${s.device.browser}\nfingerprint ${s.device.fingerprint}\nIP ${s.device.ip}`}>
              <span class="sr-only">{t('tile.device')}</span>
              {deviceKind(s.device.browser)}
              {s.device.bound ? t('tile.keyBound') : ''}
            </span>
            <button type="button" class="btn tile-action" onClick={() => this.props.onOpen(s.attemptId)} aria-label={t('tile.actionsFor', { name: s.candidate.name || s.candidate.id })}>
              {t('tile.actions')}
            </button>
          </div>
        </article>
      </li>
    );
  }
}
