import type { ArchiveEvent, ReviewDetail, ReviewMarking, VerifyResponse } from '@invigil/contract';
import { formatDateTime, t, useLang } from '../i18n/index.ts';
import { MarkingTotals, ScriptAnswers } from './ScriptAnswers.tsx';
import { useState } from 'preact/hooks';
import { api, auth, parseError, url } from '../api.ts';
import { clock, dateTime, deviceKind, time } from '../format.ts';
import { Link } from '../router.tsx';
import { useDirectory, type Directory } from '../directory.ts';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { SessionStatusBadge } from './status-badge.tsx';
import { IncidentsCard } from './IncidentsCard.tsx';

const EVENT_LABEL: Record<string, string> = {
  'session.started': 'Session started',
  'session.paused': 'Paused',
  'session.resumed': 'Resumed',
  'session.locked': 'Locked',
  'session.unlocked': 'Unlocked',
  'session.submitted': 'Submitted',
  'session.completed': 'Completed',
  'session.terminated': 'Terminated',
  'session.expired': 'Expired',
  'session.recovered': 'Recovered',
  'session.extended': 'Time extended',
  'session.message_sent': 'Message sent',
  'session.transfer_started': 'Transfer started',
  'session.transfer_claimed': 'Transfer claimed on the new desk',
  'alert.acknowledged': 'Alert acknowledged',
};

function label(e: ArchiveEvent): string {
  if (e.source === 'alert') return `Alert: ${e.type.replace(/_/g, ' ')}`;
  if (e.source === 'instruction') return `Instruction to kiosk: ${e.type}`;
  return EVENT_LABEL[e.type] ?? e.type.replace(/^session\./, '').replace(/[._]/g, ' ');
}

const SKIP = new Set(['attemptId', 'hash', 'id', 'alertId', 'auditId', 'instructionId', 'actorType', 'actorId', 'issuedBy', 'examId', 'candidateId', 'centerId', 'roomId']);

function value(v: unknown): string {
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return time(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A readable summary of an event's data: who did it, why, and its details (nested ones flattened). */
function summary(data: Record<string, unknown>, dir: Directory): string {
  const parts: string[] = [];
  const actorType = typeof data.actorType === 'string' ? data.actorType : null;
  const actorId = typeof data.actorId === 'string' ? data.actorId : typeof data.issuedBy === 'string' ? data.issuedBy : null;
  if (actorType === 'staff' || (!actorType && actorId)) parts.push(`by ${dir.staff(actorId) ?? 'staff'}`);
  else if (actorType === 'candidate') parts.push(`by the candidate`);
  else if (actorType === 'system') parts.push('by the server');
  const flat: [string, unknown][] = [];
  for (const [k, v] of Object.entries(data)) {
    if (k === 'detail' && v && typeof v === 'object' && !Array.isArray(v)) flat.push(...Object.entries(v as Record<string, unknown>));
    else flat.push([k, v]);
  }
  const seen = new Set<string>();
  for (const [k, v] of flat) {
    if (SKIP.has(k) || seen.has(k) || v === null || v === undefined || v === '') continue;
    seen.add(k);
    parts.push(`${k}: ${value(v)}`);
  }
  return parts.join(' · ').slice(0, 500);
}


/** One attempt: summary, device, answers with save times, alerts, the timeline, archive download and verification. */
export function ReviewDetailPage(props: { attemptId: string }) {
  const id = encodeURIComponent(props.attemptId);
  const detail = useLoad((signal) => api.get<ReviewDetail>(`/review/sessions/${id}`, undefined, signal), [id]);
  const [verify, setVerify] = useState<VerifyResponse | null>(null);
  const [busy, setBusy] = useState<'verify' | 'download' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const dir = useDirectory();
  const [markingNow, setMarking] = useState<ReviewMarking | null>(null);
  useLang();

  if (detail.error && !detail.data) {
    return (
      <section>
        <PageHead title="Session" />
        <ErrorNote error={detail.error} />
        <Link href="/review">Back to the session browser</Link>
      </section>
    );
  }
  if (!detail.data) return <Loading what="the session" />;
  const { archive: a, sealed } = detail.data;
  const m = a.metadata;
  const alerts = a.events.filter((e) => e.source === 'alert');
  const marking = markingNow ?? detail.data.marking;

  const download = async () => {
    setBusy('download');
    setError(null);
    try {
      const res = await fetch(url(`/review/sessions/${id}/archive`), { headers: { authorization: `Bearer ${auth.token()}` } });
      if (!res.ok) throw await parseError(res);
      const blob = await res.blob();
      const href = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = href;
      link.download = `invigil-archive-${props.attemptId}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section>
      <p class="crumbs">
        <Link href="/review">{t('rd.back')}</Link>
      </p>
      <PageHead title={m.candidate.name || m.candidate.id} sub={`${m.exam.title} · candidate ${m.candidate.id} · attempt ${a.attemptId}`}>
        <SessionStatusBadge status={m.status} isLocked={m.isLocked} />
        <button type="button" class="btn" disabled={!sealed || busy !== null} onClick={() => void download()} title={sealed ? 'The sealed archive as stored (canonical JSON)' : 'Available once the attempt has ended and been sealed'}>
          {busy === 'download' ? t('rd.downloading') : t('rd.download')}
        </button>
        <button
          type="button"
          class="btn btn-primary"
          disabled={!sealed || busy !== null}
          onClick={async () => {
            setBusy('verify');
            setError(null);
            try {
              setVerify(await api.get<VerifyResponse>(`/review/sessions/${id}/verify`));
            } catch (e) {
              setError(e);
            } finally {
              setBusy(null);
            }
          }}
        >
          {busy === 'verify' ? t('rd.verifying') : t('rd.verify')}
        </button>
      </PageHead>
      <ErrorNote error={error} />
      {!sealed ? <p class="note">This attempt is still running (or not sealed yet): this is a live view. The archive is sealed when it ends.</p> : null}
      {verify ? (
        verify.valid ? (
          <p class="note note-ok" role="status" data-testid="verify-result">
            <strong>Archive verified.</strong> The hash chain of {verify.events} events matches the head stored at sealing (<span class="mono">{verify.chainHead.slice(0, 16)}…</span>).
          </p>
        ) : (
          <p class="note note-error" role="alert" data-testid="verify-result">
            <strong>Archive does NOT verify.</strong> {verify.reason}
            {verify.brokenAt !== null ? ` First bad event: #${verify.brokenAt}.` : ''}
          </p>
        )
      ) : null}

      <div class="detail-grid">
        <div class="card">
          <h2>{t('rd.session')}</h2>
          <dl class="kv">
            <dt>{t('rd.status')}</dt>
            <dd>
              {m.status}
              {m.endReason ? ` (${m.endReason.replace(/_/g, ' ')})` : ''}
            </dd>
            <dt>{t('rd.started')}</dt>
            <dd>{formatDateTime(m.startedAt, dir.place(m.centerId), { seconds: true })}</dd>
            <dt>{t('rd.ended')}</dt>
            <dd>{formatDateTime(m.endedAt, dir.place(m.centerId), { seconds: true })}</dd>
            <dt>{t('rd.timeUsed')}</dt>
            <dd class="num">
              {clock(m.timeUsedSeconds)} of {clock(m.timeAllowedSeconds)}
            </dd>
            <dt>{t('rd.incident')}</dt>
            <dd class="num">{clock(m.incidentSeconds)}</dd>
            <dt>{t('review.plannedExtra')}</dt>
            <dd class="num">{clock(m.plannedExtraSeconds ?? 0)}</dd>
            <dt>{t('review.extension')}</dt>
            <dd class="num">{clock(m.extensionSeconds ?? 0)}</dd>
            <dt>{t('review.restBreaks')}</dt>
            <dd class="num">{clock(m.restBreakSeconds ?? 0)}</dd>
            <dt>{t('rd.place')}</dt>
            <dd>{[dir.center(m.centerId), dir.room(m.roomId), m.seat && `seat ${m.seat}`].filter(Boolean).join(' · ') || '—'}</dd>
            <dt>{t('rd.score')}</dt>
            <dd class="num">
              {a.scoring.score} / {a.scoring.maxScore}
              {a.scoring.manualReview.questions ? ` + ${a.scoring.manualReview.questions} question(s) for manual review` : ''}
            </dd>
          </dl>
        </div>
        <div class="card">
          <h2>{t('rd.device')}</h2>
          <dl class="kv">
            <dt>{t('rd.kind')}</dt>
            <dd>{deviceKind(a.device.browser)}</dd>
            <dt>{t('rd.ua')}</dt>
            <dd class="small">{a.device.browser || '—'}</dd>
            <dt>{t('rd.ip')}</dt>
            <dd class="mono">{a.device.ip || '—'}</dd>
            <dt>{t('rd.fingerprint')}</dt>
            <dd class="mono small">{a.device.fingerprint ?? '—'}</dd>
            <dt>{t('rd.key')}</dt>
            <dd class="mono small">{a.device.publicKey ?? 'not bound'}</dd>
            <dt>{t('rd.desks')}</dt>
            <dd>{a.device.generation}</dd>
          </dl>
        </div>
        <div class="card">
          <h2>
            {t('rd.alerts')} <span class="count-pill">{alerts.length}</span>
          </h2>
          {alerts.length === 0 ? <p class="muted">{t('rd.none')}</p> : null}
          <ul class="plain-list">
            {alerts.map((e) => (
              <li key={e.seq}>
                <time class="muted num">{time(e.at)}</time> <strong>{e.type.replace(/_/g, ' ')}</strong>
                {typeof e.data.message === 'string' ? ` — ${e.data.message}` : ''}
                {typeof e.data.severity === 'string' ? <span class="muted small"> ({e.data.severity})</span> : null}
              </li>
            ))}
          </ul>
        </div>
      </div>

      <IncidentsCard attemptId={props.attemptId} />

      <div class="card" data-testid="marking">
        <div class="card-head">
          <h2>{t('marking.title')}</h2>
          <Link href={`/review/${id}/script`} class="btn">
            {t('script.link')}
          </Link>
        </div>
        <MarkingTotals marking={marking} questions={detail.data.questions ?? a.questions ?? []} />
      </div>

      <div class="card">
        <h2>
          {t('rd.answers')} <span class="count-pill">{a.answers.length}</span>
        </h2>
        <ScriptAnswers detail={{ ...detail.data, marking }} attemptId={props.attemptId} canMark={auth.get()?.user.role === 'admin'} onMarked={setMarking} />
      </div>

      <div class="card">
        <h2>
          {t('rd.timeline')} <span class="count-pill">{a.events.length}</span>
        </h2>
        <ol class="timeline">
          {a.events.map((e) => (
            <li key={e.seq} class={`tl-${e.source}`}>
              <time class="num muted" dateTime={e.at}>
                {time(e.at)}
              </time>{' '}
              <span class={`src src-${e.source}`}>{e.source}</span> <strong>{label(e)}</strong>
              <div class="small muted tl-data">{summary(e.data, dir)}</div>
            </li>
          ))}
        </ol>
        <p class="muted small">
          Chain head <span class="mono">{detail.data.chainHead.slice(0, 24)}…</span>
          {detail.data.sealedAt ? ` · sealed ${dateTime(detail.data.sealedAt)}` : ''}
        </p>
      </div>
    </section>
  );
}
