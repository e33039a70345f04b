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

type Filter = TileStatus | 'all';

// The actions dialog (and the contract's validation it uses) loads after the room is on screen.
const ActionsDialog = lazy(() => import('../live/ActionsDialog.tsx').then((m) => m.ActionsDialog), () => null);

/** The live room: a tile per seat, counts and filters by status, the alerts feed. */
export function RoomPage() {
  const store = useRoomStore();
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
  useEffect(() => {
    const t = setTimeout(() => (ActionsDialog as { preload?: () => void }).preload?.(), 1_500);
    return () => clearTimeout(t);
  }, []);

  const now = store.now();
  const all = [...store.tiles.values()];
  const exams = useMemo(() => [...new Set(all.map((t) => t.s.examId))].sort(), [store.tiles]);
  const rooms = useMemo(() => [...new Set(all.map((t) => t.s.roomId ?? ''))].sort(), [store.tiles]);
  const needle = q.trim().toLowerCase();
  const scoped = all.filter(
    (t) =>
      (!exam || t.s.examId === exam) &&
      (!room || (t.s.roomId ?? '') === room) &&
      (!needle || t.s.candidate.name.toLowerCase().includes(needle) || t.s.candidate.id.toLowerCase().includes(needle) || (t.s.seat ?? '').toLowerCase() === needle),
  );
  const withStatus = scoped.map((t) => ({ t, status: store.statusOf(t, now) }));
  const counts = Object.fromEntries(TILE_STATUSES.map((k) => [k, 0])) as Record<TileStatus, number>;
  for (const x of withStatus) counts[x.status]++;
  const shown = withStatus.filter((x) => filter === 'all' || x.status === filter).sort((a, b) => bySeat(a.t, b.t));
  const openTile = open ? store.tiles.get(open) : undefined;

  return (
    <div class="room">
      <div class="room-main">
        <div class="page-head">
          <div>
            <h1>Live room</h1>
            <p class="muted page-sub">
              {scoped.length} session{scoped.length === 1 ? '' : 's'} · heartbeat every {Math.round(store.heartbeatIntervalMs / 1000)} s
            </p>
          </div>
          <Connection state={store.connection} />
        </div>

        <div class="filters" role="search">
          <label class="field field-inline field-row">
            <span>Search</span>
            <input type="search" placeholder="Name, candidate id or seat" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          </label>
          {exams.length > 1 ? (
            <label class="field field-inline field-row">
              <span>Exam</span>
              <select value={exam} onChange={(e) => setExam(e.currentTarget.value)}>
                <option value="">All exams</option>
                {exams.map((x) => (
                  <option key={x} value={x}>
                    {dir.exam(x)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {rooms.length > 1 ? (
            <label class="field field-inline field-row">
              <span>Room</span>
              <select value={room} onChange={(e) => setRoom(e.currentTarget.value)}>
                <option value="">All rooms</option>
                {rooms.map((x) => (
                  <option key={x} value={x}>
                    {dir.room(x || null) ?? 'No room'}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <div class="density" role="group" aria-label="Tile size">
            <button type="button" class={`chip${compact ? '' : ' chip-on'}`} aria-pressed={!compact} onClick={() => setCompact(false)}>
              Detailed
            </button>
            <button type="button" class={`chip${compact ? ' chip-on' : ''}`} aria-pressed={compact} onClick={() => setCompact(true)}>
              Compact
            </button>
          </div>
        </div>

        <SignInHelp exams={exams} examName={(x) => dir.exam(x) ?? x} />

        <div class="status-filter" role="group" aria-label="Show sessions by status">
          <button type="button" class={`chip${filter === 'all' ? ' chip-on' : ''}`} aria-pressed={filter === 'all'} onClick={() => setFilter('all')}>
            All <span class="chip-n">{scoped.length}</span>
          </button>
          {TILE_STATUSES.map((k) => (
            <button key={k} type="button" class={`chip chip-${k}${filter === k ? ' chip-on' : ''}`} aria-pressed={filter === k} onClick={() => setFilter(k)} data-status={k}>
              <span aria-hidden="true" class="badge-sym">
                {STATUS_LABEL[k].symbol}
              </span>
              {STATUS_LABEL[k].label} <span class="chip-n">{counts[k]}</span>
            </button>
          ))}
        </div>

        <p class="sr-only" role="status" aria-live="polite">
          {toast}
        </p>
        {toast ? (
          <p class="toast" aria-hidden="true">
            {toast}
          </p>
        ) : null}
        {store.error ? <p class="note note-error">The room could not be refreshed: {store.error}</p> : null}
        {!store.loaded ? (
          <Loading what="the room" />
        ) : shown.length === 0 ? (
          <p class="empty">{all.length === 0 ? 'No exam sessions yet. Tiles appear here as candidates start.' : 'No session matches these filters.'}</p>
        ) : (
          <ul class={`tiles${compact ? ' tiles-compact' : ''}`} aria-label="Seats">
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
              />
            ))}
          </ul>
        )}
      </div>
      <AlertsFeed
        store={store}
        onShow={(id) => {
          setFilter('all');
          setQ('');
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
          onDone={(text) => {
            setToast(text);
            setTimeout(() => setToast((t) => (t === text ? '' : t)), 5_000);
          }}
        />
      ) : null}
    </div>
  );
}

function bySeat(a: TileData, b: TileData): number {
  const x = a.s.seat ?? '\uffff';
  const y = b.s.seat ?? '\uffff';
  return x.localeCompare(y, undefined, { numeric: true }) || a.s.candidate.id.localeCompare(b.s.candidate.id, undefined, { numeric: true });
}

function Connection(props: { state: 'connecting' | 'live' | 'reconnecting' }) {
  const text = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[props.state];
  return (
    <p class={`conn conn-${props.state}`} role="status" aria-live="polite">
      <span aria-hidden="true" class="conn-dot" /> {text}
    </p>
  );
}
