import { useEffect, useState } from 'preact/hooks';
import { hourMinute } from '../format.ts';
import type { AttendanceRow } from '@invigil/contract';
import { ATTENDANCE_LABEL } from './attendance.ts';
import { t } from '../i18n/index.ts';
import { TimeFacts } from './Tile.tsx';


/** A registered seat whose candidate has not started: not signed in (a no-show?) or signed in, with the ID check and the waiver path. */
export function AttendanceTile(props: { r: AttendanceRow; onIdCheck: (r: AttendanceRow, checked: boolean) => Promise<boolean>; onWaive: (r: AttendanceRow) => void }) {
  const { r } = props;
  // The box shows what the proctor just ticked at once, while the server records it: a re-render of the
  // room (live events every second) must not flip it back before the answer is in. Refused: it reverts.
  const [pending, setPending] = useState<boolean | null>(null);
  useEffect(() => {
    if (pending !== null && !!r.idCheckedAt === pending) setPending(null);
  }, [r.idCheckedAt, pending]);
  const idChecked = pending ?? !!r.idCheckedAt;
  const label = `${r.seat ? `${t('tile.seat', { seat: r.seat })}, ` : ''}${r.name || r.candidateId}: ${ATTENDANCE_LABEL[r.attendance]}${r.noShow ? t('tile.noShowSuffix') : ''}`;
  return (
    <li class={`tile tile-absent tile-${r.attendance}${r.noShow ? ' tile-noshow' : ''}`} data-candidate={r.candidateId} data-attendance={r.attendance}>
      <article aria-label={label}>
        <div class="tile-top">
          <span class={`tile-seat${r.seat ? '' : ' tile-seat-none'}`}>{r.seat ?? t('tile.noSeat')}</span>
          <span class={`badge badge-att badge-${r.attendance}`}>{ATTENDANCE_LABEL[r.attendance]}</span>
        </div>
        <h3 class="tile-name" title={r.name}>
          {r.name || r.candidateId}
        </h3>
        <p class="tile-id muted">{r.candidateId}</p>
        {r.accommodations ? <TimeFacts plannedExtraMinutes={r.accommodations.plannedExtraMinutes} restBreakMinutes={r.accommodations.restBreakMinutes} /> : null}
        <div class="tile-flags">
          {r.noShow ? <span class="flag flag-noshow">{t('tile.noShow')}</span> : null}
          {r.late ? <span class="flag flag-late">{t('tile.lateAt', { time: r.signedInAt ? hourMinute(r.signedInAt) : '' }).trim()}</span> : null}
          {r.signedInAt && !r.late ? <span class="flag">{t('tile.inAt', { time: hourMinute(r.signedInAt) })}</span> : null}
        </div>
        <div class="tile-bottom">
          <label class="id-check">
            <input
              type="checkbox"
              checked={idChecked}
              onChange={(e) => {
                const want = e.currentTarget.checked;
                setPending(want);
                void props.onIdCheck(r, want).then((ok) => {
                  if (!ok) setPending(null);
                });
              }}
              aria-label={t('tile.idCheckedAria', { name: r.name || r.candidateId })}
            />{' '}
            {t('tile.id')}
          </label>
          <button type="button" class="btn btn-small btn-quiet" onClick={() => props.onWaive(r)} aria-label={t('tile.allowStartAria', { name: r.name || r.candidateId })}>
            {t('tile.allowStart')}
          </button>
        </div>
      </article>
    </li>
  );
}
