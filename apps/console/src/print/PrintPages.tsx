import type { Alert, AttendanceRow, Note } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, auth } from '../api.ts';
import { dateTime, time } from '../format.ts';
import { ATTENDANCE_LABEL, useAttendance } from '../live/attendance.ts';
import { kindLabel } from '../live/Tile.tsx';
import { Link, useLocation } from '../router.tsx';
import { t, useLang } from '../i18n/index.ts';

/** Printable pages (attendance list, seating plan, invigilator report): plain HTML, laid out for paper by @media print. */
export function PrintPage(props: { kind: 'attendance' | 'seating' | 'report' }) {
  useLang();
  const { search } = useLocation();
  const roomId = search.get('roomId') ?? undefined;
  const examId = search.get('examId') ?? undefined;
  const att = useAttendance({ ...(roomId ? { roomId } : {}), ...(examId ? { examId } : {}) }, 0);
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  useEffect(() => {
    if (props.kind !== 'report') return;
    void api.get<{ notes: Note[] }>('/proctor/notes', { roomId, examId }).then((r) => setNotes(r.notes), () => setNotes([]));
    void api.get<{ alerts: Alert[] }>('/proctor/alerts', { state: 'all', limit: 500 }).then((r) => setAlerts(r.alerts), () => setAlerts([]));
  }, [props.kind, roomId, examId]);
  const data = att.data;
  const title = t(`print.${props.kind}`);
  if (!data || (props.kind === 'report' && (notes === null || alerts === null))) return <p class="muted">{t('print.loading', { what: title.toLowerCase() })}</p>;
  // One printed page (or more) per room.
  const byRoom = new Map<string, AttendanceRow[]>();
  for (const r of data.candidates) byRoom.set(r.roomId ?? '', [...(byRoom.get(r.roomId ?? '') ?? []), r]);
  const examTitle = examId ? (data.exams.find((e) => e.id === examId)?.title ?? '') : data.exams.map((e) => e.title).join(', ');
  const who = auth.get()?.user.username ?? '';
  return (
    <div class={`print print-${props.kind}`}>
      <div class="no-print print-bar">
        <Link href="/" class="btn btn-quiet">
          {t('print.back')}
        </Link>
        <button type="button" class="btn btn-primary" onClick={() => window.print()}>
          {t('print.print')}
        </button>
      </div>
      {byRoom.size === 0 ? <p>{t('print.noneHere')}</p> : null}
      {[...byRoom.entries()].map(([rid, rows]) => {
        const room = data.rooms.find((r) => r.id === rid);
        const place = room ? `${room.centerName ? `${room.centerName} · ` : ''}${room.name}` : t('print.noRoom');
        const sorted = [...rows].sort((a, b) => (a.seat ?? '\uffff').localeCompare(b.seat ?? '\uffff', undefined, { numeric: true }) || a.candidateId.localeCompare(b.candidateId));
        return (
          <section key={rid} class="print-page">
            <header class="print-head">
              <h1>
                {title}: {place}
              </h1>
              <p>
                {t('print.printed', { exam: examTitle, time: dateTime(new Date(data.serverTime).toISOString()), who })}
              </p>
            </header>
            {props.kind === 'attendance' ? <AttendanceTable rows={sorted} /> : props.kind === 'seating' ? <SeatingPlan rows={sorted} /> : <Report rows={sorted} notes={(notes ?? []).filter((n) => (n.roomId ?? '') === rid)} alerts={(alerts ?? []).filter((a) => (a.roomId ?? '') === rid)} />}
          </section>
        );
      })}
    </div>
  );
}

function AttendanceTable(props: { rows: AttendanceRow[] }) {
  const c = (k: AttendanceRow['attendance']) => props.rows.filter((r) => r.attendance === k).length;
  return (
    <>
      <p class="print-summary">
        {t('print.summary', { registered: props.rows.length, not_signed_in: c('not_signed_in'), signed_in: c('signed_in'), started: c('started'), finished: c('finished'), idChecked: props.rows.filter((r) => r.idCheckedAt).length })}
      </p>
      <table class="print-table">
        <thead>
          <tr>
            <th>{t('print.seat')}</th>
            <th>{t('print.candidate')}</th>
            <th>{t('print.name')}</th>
            <th>{t('print.status')}</th>
            <th>{t('print.signedIn')}</th>
            <th>{t('print.started')}</th>
            <th>{t('print.id')}</th>
            <th class="sign">{t('print.signature')}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={`${r.examId}|${r.candidateId}`}>
              <td>{r.seat ?? '—'}</td>
              <td>{r.candidateId}</td>
              <td>{r.name}</td>
              <td>
                {ATTENDANCE_LABEL[r.attendance]}
                {r.noShow ? t('print.noShow') : ''}
                {r.late ? t('print.late') : ''}
              </td>
              <td>{r.signedInAt ? time(r.signedInAt) : ''}</td>
              <td>{r.startedAt ? time(r.startedAt) : ''}</td>
              <td>{r.idCheckedAt ? '✓' : '☐'}</td>
              <td class="sign" />
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Seats by row (the letters of "A1", "B3"…), in order. */
function SeatingPlan(props: { rows: AttendanceRow[] }) {
  const rows = new Map<string, AttendanceRow[]>();
  for (const r of props.rows) {
    const key = /^[A-Za-z]+/.exec(r.seat ?? '')?.[0] ?? '·';
    rows.set(key, [...(rows.get(key) ?? []), r]);
  }
  return (
    <div class="seating">
      <p class="front">{t('print.front')}</p>
      {[...rows.entries()].map(([k, seats]) => (
        <div key={k} class="seat-row">
          <span class="seat-row-name">{k}</span>
          {seats.map((r) => (
            <div key={r.candidateId} class={`seat seat-${r.attendance}`}>
              <strong>{r.seat ?? '—'}</strong>
              <span>{r.name}</span>
              <span class="muted">{r.candidateId}</span>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

function Report(props: { rows: AttendanceRow[]; notes: Note[]; alerts: Alert[] }) {
  const { rows } = props;
  const started = rows.filter((r) => r.attendance === 'started' || r.attendance === 'finished');
  const noShows = rows.filter((r) => r.attendance === 'not_signed_in' || r.attendance === 'signed_in');
  const late = rows.filter((r) => r.late);
  const name = (candidateId: string | null) => rows.find((r) => r.candidateId === candidateId)?.name ?? candidateId ?? '';
  const first = started.map((r) => r.startedAt!).sort()[0];
  return (
    <>
      <table class="print-facts">
        <tbody>
          <tr>
            <th>{t('print.registered')}</th>
            <td>{rows.length}</td>
            <th>{t('print.sat')}</th>
            <td>{started.length}</td>
          </tr>
          <tr>
            <th>{t('print.firstStart')}</th>
            <td>{first ? time(first) : '—'}</td>
            <th>{t('print.finished')}</th>
            <td>{rows.filter((r) => r.attendance === 'finished').length}</td>
          </tr>
          <tr>
            <th>{t('print.didNotStart')}</th>
            <td colSpan={3}>{noShows.length ? noShows.map((r) => `${r.seat ?? ''} ${r.name} (${r.candidateId})`).join('; ') : t('print.none')}</td>
          </tr>
          <tr>
            <th>{t('print.lateArrivals')}</th>
            <td colSpan={3}>{late.length ? late.map((r) => `${r.seat ?? ''} ${r.name}`).join('; ') : t('print.none')}</td>
          </tr>
        </tbody>
      </table>
      <h2>{t('print.incidentLog')}</h2>
      {props.notes.length === 0 ? (
        <p>{t('print.noIncidents')}</p>
      ) : (
        <table class="print-table">
          <thead>
            <tr>
              <th>{t('print.time')}</th>
              <th>{t('print.by')}</th>
              <th>{t('print.about')}</th>
              <th>{t('print.note')}</th>
            </tr>
          </thead>
          <tbody>
            {props.notes.map((n) => (
              <tr key={n.id}>
                <td>{time(n.at)}</td>
                <td>{n.authorName}</td>
                <td>{n.candidateId ? `${name(n.candidateId)} (${n.candidateId})` : t('print.room')}</td>
                <td>{n.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('print.alerts')}</h2>
      {props.alerts.length === 0 ? (
        <p>{t('print.noAlerts')}</p>
      ) : (
        <table class="print-table">
          <thead>
            <tr>
              <th>{t('print.time')}</th>
              <th>{t('print.severity')}</th>
              <th>{t('print.what')}</th>
              <th>{t('print.candidate')}</th>
              <th>{t('print.details')}</th>
            </tr>
          </thead>
          <tbody>
            {props.alerts.map((a) => (
              <tr key={a.id}>
                <td>{time(a.at)}</td>
                <td>{t(`alerts.sev.${a.severity}`)}</td>
                <td>{kindLabel(a.kind)}</td>
                <td>{a.candidateId ? name(a.candidateId) : t('print.room')}</td>
                <td>
                  {a.message}
                  {a.count > 1 ? ` (${a.count}×)` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="signatures">
        <p>{t('print.invigilator')}</p>
        <p>{t('print.signatureLine')}</p>
      </div>
    </>
  );
}
