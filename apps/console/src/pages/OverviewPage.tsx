import { useMemo } from 'preact/hooks';
import { deviceKind, hourMinuteSecond } from '../format.ts';
import { STATUS_LABEL, TILE_STATUSES } from '../live/status.ts';
import { useRoomStore } from '../live/store-context.ts';
import { ChartView, statusColour } from '../ui/Chart.tsx';
import { PageHead } from '../ui/bits.tsx';
import { t, useLang } from '../i18n/index.ts';

const BUCKETS = [
  { label: '0–4 s', max: 4 },
  { label: '5–9 s', max: 9 },
  { label: '10–14 s', max: 14 },
  { label: '15–29 s', max: 29 },
  { label: '30–59 s', max: 59 },
  { label: '60 s +', max: Infinity },
];

/** Charts of the live room: status over time, heartbeat age, device types. */
export function OverviewPage() {
  const lang = useLang();
  const store = useRoomStore();
  const history = store.history;
  const last = history[history.length - 1];
  const statusData = useMemo(
    () => ({
      labels: history.map((h) => hourMinuteSecond(h.t)),
      datasets: TILE_STATUSES.map((k) => ({
        label: STATUS_LABEL[k].label,
        data: history.map((h) => h.counts[k]),
        borderColor: statusColour(k),
        backgroundColor: statusColour(k),
        fill: true,
        pointRadius: 0,
        stepped: true as const,
      })),
    }),
    [history.length, last, lang],
  );
  const hbData = useMemo(
    () => ({
      labels: history.map((h) => hourMinuteSecond(h.t)),
      datasets: [
        { label: t('ov.median'), data: history.map((h) => h.hbMedian), borderColor: '#2f6fb0', backgroundColor: '#2f6fb0', pointRadius: 0 },
        { label: t('ov.slowest'), data: history.map((h) => h.hbMax), borderColor: '#b7791f', backgroundColor: '#b7791f', pointRadius: 0, borderDash: [6, 4] },
      ],
    }),
    [history.length, last, lang],
  );
  const now = store.now();
  const tiles = [...store.tiles.values()];
  const ages = tiles.filter((t) => t.s.status === 'active').map((t) => store.secondsSince(t, now) ?? Infinity);
  const hist = BUCKETS.map((b, i) => ages.filter((a) => a <= b.max && (i === 0 || a > BUCKETS[i - 1]!.max)).length);
  const kinds: Record<string, number> = {};
  for (const t of tiles) if (t.s.status === 'active' || t.s.status === 'paused') kinds[deviceKind(t.s.device.browser)] = (kinds[deviceKind(t.s.device.browser)] ?? 0) + 1;
  const kindEntries = Object.entries(kinds).sort((a, b) => b[1] - a[1]);
  const histKey = hist.join(',');
  const kindKey = JSON.stringify(kindEntries);
  const histData = useMemo(() => ({ labels: BUCKETS.map((b) => b.label), datasets: [{ label: t('ov.activeSessions'), data: hist, backgroundColor: '#2f6fb0' }] }), [histKey, lang]);
  const kindData = useMemo(
    () => ({ labels: kindEntries.map(([k]) => k), datasets: [{ label: t('ov.sessions'), data: kindEntries.map(([, v]) => v), backgroundColor: ['#2f6fb0', '#2e8a57', '#b7791f', '#8e4fb4', '#c0392b', '#5f6b7a'] }] }),
    [kindKey, lang],
  );
  const counts = store.counts();

  return (
    <section>
      <PageHead title={t('ov.title')} sub={t('ov.sub')} />
      <div class="chart-grid">
        <div class="card chart-wide">
          <h2>{t('ov.byStatus')}</h2>
          <ChartView
            testId="chart-status"
            summary={t('ov.now', { list: TILE_STATUSES.map((k) => `${STATUS_LABEL[k].label} ${counts[k]}`).join(', ') })}
            config={{ type: 'line', data: statusData, options: { scales: { y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 8 } } }, plugins: { legend: { position: 'bottom' } } } }}
          />
        </div>
        <div class="card">
          <h2>{t('ov.hbOverTime')}</h2>
          <ChartView
            testId="chart-heartbeat"
            summary={t('ov.hbSummary', { median: last?.hbMedian ?? t('ov.no'), max: last?.hbMax ?? t('ov.no') })}
            config={{ type: 'line', data: hbData, options: { scales: { y: { beginAtZero: true, title: { display: true, text: t('ov.seconds') } }, x: { ticks: { maxTicksLimit: 6 } } }, plugins: { legend: { position: 'bottom' } } } }}
          />
        </div>
        <div class="card">
          <h2>{t('ov.hbNow')}</h2>
          <ChartView
            testId="chart-heartbeat-now"
            summary={BUCKETS.map((b, i) => `${b.label}: ${hist[i]}`).join(', ')}
            config={{ type: 'bar', data: histData, options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } } }}
          />
        </div>
        <div class="card">
          <h2>{t('ov.devices')}</h2>
          <ChartView
            testId="chart-devices"
            summary={kindEntries.length ? kindEntries.map(([k, v]) => `${k}: ${v}`).join(', ') : t('ov.noRunning')}
            config={{ type: 'doughnut', data: kindData, options: { plugins: { legend: { position: 'right' } } } }}
          />
        </div>
      </div>
    </section>
  );
}
