import { useEffect, useMemo, useState } from 'preact/hooks';
import { lazy } from '../ui/lazy.tsx';
import { AlertsFeed } from '../live/AlertsFeed.tsx';
import type { TileData } from '../live/room-store.ts';
import { STATUS_LABEL, TILE_STATUSES, type TileStatus } from '../live/status.ts';
import { useRoomStore } from '../live/store-context.ts';
import { SignInHelp } from '../live/SignInHelp.tsx';
import { Tile } from '../live/Tile.tsx';
import { Loading, useSecondTick } from '../ui/bits.tsx';
import { useDirectory } from '../directory.ts';
import type { Alert, AttendanceRow } from '@invigil/contract';
import { api, messageOf } from '../api.ts';
import { Link } from '../router.tsx';
import { useAttendance } from '../live/attendance.ts';
import { AttendanceTile } from '../live/AttendanceTile.tsx';
import { NotesDialog } from '../live/NotesDialog.tsx';
import { ROOM_ACTIONS, RoomActionsDialog } from '../live/RoomActionsDialog.tsx';
import { WaiverDialog } from '../live/WaiverDialog.tsx';
import { t, useLang } from '../i18n/index.ts';

type Filter = TileStatus | 'all' | 'absent';
type Sort = 'seat' | 'attention';

/** Lower is more urgent: what a proctor should look at first. */
function urgency(status: TileStatus, alerts: Alert[] | undefined): number {
  if (alerts?.some((a) => a.severity === 'critical')) return 0;
  if (status === 'locked') return 1;
  if (alerts?.some((a) => a.severity === 'warning')) return 2;
  if (status === 'offline') return 3;
  if (status === 'paused') return 4;
  if (alerts?.length) return 5;
  if (status === 'active') return 7;
  return 9;
}

// The actions dialog (and the contract's validation it uses) loads after the room is on screen.
const ActionsDialog = lazy(() => import('../live/ActionsDialog.tsx').then((m) => m.ActionsDialog), () => null);

/** The live room: a tile per seat, counts and filters by status, the alerts feed. */
export function RoomPage() {
  const store = useRoomStore();
  useLang();
  useSecondTick();
  const [filter, setFilter] = useState<Filter>('all');
  const [exam, setExam] = useState('');
  const [room, setRoom] = useState('');
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [toast, setToast] = useState('');
  const [compact, setCompactState] = useState(() => localStorage.getItem('invigil.console.compact') === '1');
  const setCompact = (v: boolean) => {
    localStorage.setItem('invigil.console.compact', v ? '1' : '0');
    setCompactState(v);
  };
  const dir = useDirectory();
  const att = useAttendance();
  const [sort, setSort] = useState<Sort>(() => (localStorage.getItem('invigil.console.sort') === 'attention' ? 'attention' : 'seat'));
  const [highlight, setHighlight] = useState<string | null>(null);
  const [roomAction, setRoomAction] = useState<(typeof ROOM_ACTIONS)[number] | null>(null);
  const [notesOpen, setNotesOpen] = useState(false);
  const [waive, setWaive] = useState<AttendanceRow | null>(null);
  const examName = (id: string) => att.data?.exams.find((e) => e.id === id)?.title ?? dir.exam(id) ?? id;
  const roomName = (id: string | null) => (id ? (att.data?.rooms.find((r) => r.id === id)?.name ?? dir.room(id) ?? id) : t('live.noRoom'));
  const showToast = (text: string) => {
    setToast(text);
    setTimeout(() => setToast((x) => (x === text ? '' : x)), 5_000);
  };
  useEffect(() => {
    const timer = setTimeout(() => (ActionsDialog as { preload?: () => void }).preload?.(), 1_500);
    return () => clearTimeout(timer);
  }, []);

  const now = store.now();
  const all = [...store.tiles.values()];
  const exams = useMemo(() => [...new Set([...all.map((t) => t.s.examId), ...(att.data?.exams.map((e) => e.id) ?? [])])].sort(), [store.tiles, att.data]);
  const rooms = useMemo(() => [...new Set([...all.map((t) => t.s.roomId ?? ''), ...(att.data?.rooms.map((r) => r.id) ?? [])])].sort(), [store.tiles, att.data]);
  const needle = q.trim().toLowerCase();
  // Registered candidates of the same filters, started or not (attendance).
  const registered = (att.data?.candidates ?? []).filter(
    (r) => (!exam || r.examId === exam) && (!room || (r.roomId ?? '') === room) && (!needle || r.name.toLowerCase().includes(needle) || r.candidateId.toLowerCase().includes(needle) || (r.seat ?? '').toLowerCase() === needle),
  );
  const absent = registered.filter((r) => r.attendance === 'not_signed_in' || r.attendance === 'signed_in');
  const attCounts = { registered: registered.length, not_signed_in: 0, signed_in: 0, started: 0, finished: 0, noShow: 0, late: 0, idChecked: 0 };
  for (const r of registered) {
    attCounts[r.attendance] += 1;
    if (r.noShow) attCounts.noShow += 1;
    if (r.late) attCounts.late += 1;
    if (r.idCheckedAt) attCounts.idChecked += 1;
  }
  const idChecked = new Set((att.data?.candidates ?? []).filter((r) => r.idCheckedAt).map((r) => `${r.examId}|${r.candidateId}`));
  const lateOnes = new Set((att.data?.candidates ?? []).filter((r) => r.late).map((r) => `${r.examId}|${r.candidateId}`));
  const alertsBy = new Map<string, Alert[]>();
  for (const a of store.alerts) if (a.attemptId) alertsBy.set(a.attemptId, [...(alertsBy.get(a.attemptId) ?? []), a]);
  const actionRooms = (room ? [room] : rooms.filter(Boolean)).map((id) => ({ id, name: roomName(id) }));
  const scoped = all.filter(
    (t) =>
      (!exam || t.s.examId === exam) &&
      (!room || (t.s.roomId ?? '') === room) &&
      (!needle || t.s.candidate.name.toLowerCase().includes(needle) || t.s.candidate.id.toLowerCase().includes(needle) || (t.s.seat ?? '').toLowerCase() === needle),
  );
  const withStatus = scoped.map((t) => ({ t, status: store.statusOf(t, now) }));
  const counts = Object.fromEntries(TILE_STATUSES.map((k) => [k, 0])) as Record<TileStatus, number>;
  for (const x of withStatus) counts[x.status]++;
  const shown =
    filter === 'absent'
      ? []
      : withStatus
          .filter((x) => filter === 'all' || x.status === filter)
          .sort((a, b) => (sort === 'attention' ? urgency(a.status, alertsBy.get(a.t.s.attemptId)) - urgency(b.status, alertsBy.get(b.t.s.attemptId)) : 0) || bySeat(a.t, b.t));
  const shownAbsent = filter === 'all' || filter === 'absent' ? absent : [];
  const idCheck = async (r: AttendanceRow, checked: boolean): Promise<boolean> => {
    try {
      await api.post(`/proctor/exams/${encodeURIComponent(r.examId)}/candidates/${encodeURIComponent(r.candidateId)}/id-check`, { checked });
      att.refresh();
      return true;
    } catch (e) {
      showToast(messageOf(e));
      return false;
    }
  };
  const printQuery = `?${new URLSearchParams({ ...(room ? { roomId: room } : {}), ...(exam ? { examId: exam } : {}) }).toString()}`;
  const openTile = open ? store.tiles.get(open) : undefined;

  return (
    <div class={`room${compact ? ' room-compact' : ''}`}>
      <div class="room-main">
        <div class="page-head">
          <div>
            <h1>{t('live.title')}</h1>
            <p class="muted page-sub">
              {t('live.sub', { sessions: scoped.length, registered: registered.length, seconds: Math.round(store.heartbeatIntervalMs / 1000) })}
            </p>
          </div>
          <Connection state={store.connection} />
        </div>

        <dl class="attendance-bar" data-testid="attendance" aria-label={t('live.att.aria')}>
          {(
            [
              'registered',
              'not_signed_in',
              'signed_in',
              'started',
              'finished',
              'noShow',
              'late',
              'idChecked',
            ] as const
          ).map((k) => (
            <div key={k} data-count={k} class={`att att-${k}${(k === 'noShow' || k === 'late') && attCounts[k] > 0 ? ' att-warn' : ''}`}>
              <dt>{t(`live.att.${k}`)}</dt>
              <dd class="num">{attCounts[k]}</dd>
            </div>
          ))}
        </dl>

        <div class="room-toolbar" role="group" aria-label={t('live.roomActions.aria')}>
          {ROOM_ACTIONS.map((k) => (
            <button key={k} type="button" class={`btn btn-small${k === 'pause' || k === 'lock' ? ' btn-danger-outline' : ''}`} disabled={actionRooms.length === 0} onClick={() => setRoomAction(k)}>
              {t(`live.roomAction.${k}`)}
            </button>
          ))}
          <button type="button" class="btn btn-small" disabled={actionRooms.length === 0} onClick={() => setNotesOpen(true)}>
            {t('live.incidentLog')}
          </button>
          <span class="toolbar-sep" aria-hidden="true" />
          <Link href={`/print/attendance${printQuery}`} class="btn btn-small btn-quiet">
            {t('live.print.attendance')}
          </Link>
          <Link href={`/print/seating${printQuery}`} class="btn btn-small btn-quiet">
            {t('live.print.seating')}
          </Link>
          <Link href={`/print/report${printQuery}`} class="btn btn-small btn-quiet">
            {t('live.print.report')}
          </Link>
        </div>

        <div class="filters" role="search">
          <label class="field field-inline field-row">
            <span>{t('live.search')}</span>
            <input type="search" placeholder={t('live.searchPlaceholder')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          </label>
          {exams.length > 1 ? (
            <label class="field field-inline field-row">
              <span>{t('live.exam')}</span>
              <select value={exam} onChange={(e) => setExam(e.currentTarget.value)}>
                <option value="">{t('live.allExams')}</option>
                {exams.map((x) => (
                  <option key={x} value={x}>
                    {examName(x)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {rooms.length > 1 ? (
            <label class="field field-inline field-row">
              <span>{t('live.room')}</span>
              <select value={room} onChange={(e) => setRoom(e.currentTarget.value)}>
                <option value="">{t('live.allRooms')}</option>
                {rooms.map((x) => (
                  <option key={x} value={x}>
                    {roomName(x || null)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label class="field field-inline field-row">
            <span>{t('live.sort')}</span>
            <select
              value={sort}
              onChange={(e) => {
                const v = e.currentTarget.value as Sort;
                localStorage.setItem('invigil.console.sort', v);
                setSort(v);
              }}
            >
              <option value="seat">{t('live.sort.seat')}</option>
              <option value="attention">{t('live.sort.attention')}</option>
            </select>
          </label>
          <div class="density" role="group" aria-label={t('live.density.aria')}>
            <button type="button" class={`chip${compact ? '' : ' chip-on'}`} aria-pressed={!compact} onClick={() => setCompact(false)}>
              {t('live.density.detailed')}
            </button>
            <button type="button" class={`chip${compact ? ' chip-on' : ''}`} aria-pressed={compact} onClick={() => setCompact(true)}>
              {t('live.density.compact')}
            </button>
          </div>
        </div>

        <SignInHelp exams={exams} examName={examName} />

        <div class="status-filter" role="group" aria-label={t('live.statusFilter.aria')}>
          <button type="button" class={`chip${filter === 'all' ? ' chip-on' : ''}`} aria-pressed={filter === 'all'} onClick={() => setFilter('all')}>
            {t('live.filter.all')} <span class="chip-n">{scoped.length}</span>
          </button>
          {TILE_STATUSES.map((k) => (
            <button key={k} type="button" class={`chip chip-${k}${filter === k ? ' chip-on' : ''}`} aria-pressed={filter === k} onClick={() => setFilter(k)} data-status={k}>
              <span aria-hidden="true" class="badge-sym">
                {STATUS_LABEL[k].symbol}
              </span>
              {STATUS_LABEL[k].label} <span class="chip-n">{counts[k]}</span>
            </button>
          ))}
          <button type="button" class={`chip chip-absent${filter === 'absent' ? ' chip-on' : ''}`} aria-pressed={filter === 'absent'} onClick={() => setFilter('absent')} data-status="absent">
            {t('live.filter.absent')} <span class="chip-n">{absent.length}</span>
          </button>
        </div>

        <p class="sr-only" role="status" aria-live="polite">
          {toast}
        </p>
        {toast ? (
          <p class="toast" aria-hidden="true">
            {toast}
          </p>
        ) : null}
        {store.error ? <p class="note note-error">{t('live.refreshError', { error: store.error })}</p> : null}
        {!store.loaded ? (
          <Loading what={t('live.loading')} />
        ) : shown.length === 0 && shownAbsent.length === 0 ? (
          <p class="empty">{all.length === 0 && registered.length === 0 ? t('live.emptyRoom') : t('live.noMatch')}</p>
        ) : (
          <ul class={`tiles${compact ? ' tiles-compact' : ''}`} aria-label={t('live.seats.aria')}>
            {shown.map(({ t, status }) => (
              <Tile
                key={t.s.attemptId}
                s={t.s}
                version={t.version}
                status={status}
                secondsSince={store.secondsSince(t, now)}
                remaining={store.remaining(t, now)}
                fresh={now - t.changedAt < 4_000}
                helpRequested={store.alerts.some((a) => a.attemptId === t.s.attemptId && a.kind === 'help_requested')}
                onOpen={setOpen}
                alerts={alertsBy.get(t.s.attemptId)}
                idChecked={idChecked.has(`${t.s.examId}|${t.s.candidate.id}`)}
                late={lateOnes.has(`${t.s.examId}|${t.s.candidate.id}`)}
                highlight={highlight === t.s.attemptId}
              />
            ))}
            {shownAbsent.map((r) => (
              <AttendanceTile key={`${r.examId}|${r.candidateId}`} r={r} onIdCheck={idCheck} onWaive={setWaive} />
            ))}
          </ul>
        )}
      </div>
      <AlertsFeed
        store={store}
        onShow={(id) => {
          setFilter('all');
          setQ('');
          setHighlight(id);
          setTimeout(() => setHighlight((h) => (h === id ? null : h)), 8_000);
          requestAnimationFrame(() => {
            const el = document.querySelector<HTMLElement>(`[data-attempt="${CSS.escape(id)}"] .tile-action`);
            el?.scrollIntoView({ block: 'center', behavior: 'smooth' });
            el?.focus({ preventScroll: true });
          });
        }}
      />
      {openTile ? (
        <ActionsDialog
          tile={openTile}
          store={store}
          status={store.statusOf(openTile, now)}
          onClose={() => setOpen(null)}
          onDone={showToast}
        />
      ) : null}
      {roomAction ? (
        <RoomActionsDialog
          rooms={actionRooms}
          roomId={room || actionRooms[0]?.id || ''}
          {...(exam ? { examId: exam } : {})}
          initial={roomAction}
          onClose={() => setRoomAction(null)}
          onDone={(text) => {
            showToast(text);
            void store.resync(true);
          }}
        />
      ) : null}
      {notesOpen && actionRooms[0] ? (
        <NotesDialog
          roomId={room || actionRooms[0].id}
          roomName={roomName(room || actionRooms[0].id)}
          {...(exam ? { examId: exam } : {})}
          candidates={withStatus.filter((x) => (x.t.s.roomId ?? '') === (room || actionRooms[0]!.id)).map((x) => ({ attemptId: x.t.s.attemptId, label: `${x.t.s.seat ? `${x.t.s.seat} · ` : ''}${x.t.s.candidate.name || x.t.s.candidate.id}` }))}
          onClose={() => setNotesOpen(false)}
        />
      ) : null}
      {waive ? <WaiverDialog examId={waive.examId} candidateId={waive.candidateId} label={waive.name || waive.candidateId} onClose={() => setWaive(null)} onDone={showToast} /> : null}
    </div>
  );
}

function bySeat(a: TileData, b: TileData): number {
  const x = a.s.seat ?? '\uffff';
  const y = b.s.seat ?? '\uffff';
  return x.localeCompare(y, undefined, { numeric: true }) || a.s.candidate.id.localeCompare(b.s.candidate.id, undefined, { numeric: true });
}

function Connection(props: { state: 'connecting' | 'live' | 'reconnecting' }) {
  const text = t(`live.conn.${props.state}`);
  return (
    <p class={`conn conn-${props.state}`} role="status" aria-live="polite">
      <span aria-hidden="true" class="conn-dot" /> {text}
    </p>
  );
}
