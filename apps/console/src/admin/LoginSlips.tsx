import type { IssuedCode } from '@invigil/contract';
import { useMemo } from 'preact/hooks';
import { t, useLang } from '../i18n/index.ts';
import { PrintArea, printNow } from '../ui/PrintArea.tsx';

const csvCell = (v: string | null) => {
  const s = v ?? '';
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The slips as CSV (one row per candidate), for a mail merge or a spreadsheet. */
export function slipsCsv(slips: IssuedCode[], examCode: string, examTitle: string): string {
  const head = ['candidateId', 'name', 'exam', 'examCode', 'accessCode', 'center', 'room', 'seat'];
  const rows = slips.map((x) => [x.candidateId, x.name, examTitle, examCode, x.accessCode, x.centerName, x.roomName, x.seat].map(csvCell).join(','));
  return `${[head.join(','), ...rows].join('\r\n')}\r\n`;
}

/**
 * Login slips for codes the server generated (answered once: not shown again after this page is
 * left): a preview table, print (one sheet per candidate) and a CSV download.
 */
export function LoginSlips(props: { slips: IssuedCode[]; examCode: string; examTitle: string }) {
  useLang();
  const { slips, examCode, examTitle } = props;
  const href = useMemo(() => URL.createObjectURL(new Blob([slipsCsv(slips, examCode, examTitle)], { type: 'text/csv;charset=utf-8' })), [slips, examCode, examTitle]);
  if (slips.length === 0) return null;
  return (
    <div class="card" data-testid="login-slips">
      <div class="card-head">
        <h2>{t('slips.title', { n: slips.length })}</h2>
        <div class="page-actions">
          <button type="button" class="btn btn-primary" onClick={printNow}>
            {t('slips.print')}
          </button>
          <a class="btn" href={href} download={`login-slips-${examCode}.csv`}>
            {t('slips.csv')}
          </a>
        </div>
      </div>
      <p class="note note-warn">{t('slips.once')}</p>
      <div class="scroll-table" tabIndex={0} role="region" aria-label={t('slips.title', { n: slips.length })}>
        <table class="table">
          <caption class="sr-only">{t('slips.title', { n: slips.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('slips.candidate')}</th>
              <th scope="col">{t('slips.name')}</th>
              <th scope="col">{t('slips.accessCode')}</th>
              <th scope="col">{t('slips.room')}</th>
              <th scope="col">{t('slips.seat')}</th>
            </tr>
          </thead>
          <tbody>
            {slips.slice(0, 200).map((x) => (
              <tr key={x.candidateId}>
                <td class="mono">{x.candidateId}</td>
                <td>{x.name}</td>
                <td class="mono slip-code-cell">{x.accessCode}</td>
                <td>{x.roomName ?? '—'}</td>
                <td>{x.seat ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {slips.length > 200 ? <p class="muted small">{t('slips.more', { n: slips.length - 200 })}</p> : null}
      <PrintArea label="login-slips">
        {slips.map((x) => (
          <article key={x.candidateId} class="print-page slip">
            <h1 class="slip-title">{t('slips.sheetTitle')}</h1>
            <p class="slip-exam">{examTitle}</p>
            <dl class="slip-fields">
              <dt>{t('slips.name')}</dt>
              <dd class="slip-name">{x.name}</dd>
              <dt>{t('slips.candidate')}</dt>
              <dd class="slip-mono">{x.candidateId}</dd>
              <dt>{t('slips.examCode')}</dt>
              <dd class="slip-mono slip-big">{examCode}</dd>
              <dt>{t('slips.accessCode')}</dt>
              <dd class="slip-mono slip-big">{x.accessCode}</dd>
              <dt>{t('slips.room')}</dt>
              <dd>{[x.centerName, x.roomName].filter(Boolean).join(' · ') || '—'}</dd>
              <dt>{t('slips.seat')}</dt>
              <dd>{x.seat ?? '—'}</dd>
            </dl>
            <p class="slip-help">{t('slips.help')}</p>
          </article>
        ))}
      </PrintArea>
    </div>
  );
}
