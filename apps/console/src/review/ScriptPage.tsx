import type { ReviewDetail } from '@invigil/contract';
import { api } from '../api.ts';
import { clock } from '../format.ts';
import { formatDateTime, t, useLang } from '../i18n/index.ts';
import { Link } from '../router.tsx';
import { useDirectory } from '../directory.ts';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { PrintArea, printNow } from '../ui/PrintArea.tsx';
import { MarkingTotals, ScriptAnswers } from './ScriptAnswers.tsx';

/** A candidate's script as one printable document: who, when, every question with the answer, marks and the total. */
export function ScriptPage(props: { attemptId: string }) {
  useLang();
  const dir = useDirectory();
  const id = encodeURIComponent(props.attemptId);
  const detail = useLoad((signal) => api.get<ReviewDetail>(`/review/sessions/${id}`, undefined, signal), [id]);
  if (detail.error && !detail.data) return <ErrorNote error={detail.error} />;
  if (!detail.data) return <Loading what="the script" />;
  const d = detail.data;
  const m = d.archive.metadata;
  const place = dir.place(m.centerId);
  const questions = d.questions ?? d.archive.questions ?? [];
  const body = (
    <>
      <dl class="kv script-meta">
        <dt>{t('script.candidate')}</dt>
        <dd>
          {m.candidate.name} ({m.candidate.id})
        </dd>
        <dt>{t('script.exam')}</dt>
        <dd>{m.exam.title}</dd>
        <dt>{t('script.status')}</dt>
        <dd>{m.status}</dd>
        <dt>{t('script.started')}</dt>
        <dd>{formatDateTime(m.startedAt, place)}</dd>
        <dt>{t('script.ended')}</dt>
        <dd>{formatDateTime(m.endedAt, place)}</dd>
        <dt>{t('script.time')}</dt>
        <dd>
          {t('script.timeValue', { used: clock(m.timeUsedSeconds), allowed: clock(m.timeAllowedSeconds), planned: clock(m.plannedExtraSeconds ?? 0), extension: clock(m.extensionSeconds ?? 0), incident: clock(m.incidentSeconds) })}
        </dd>
      </dl>
      <MarkingTotals marking={d.marking} questions={questions} />
      <ScriptAnswers detail={d} attemptId={props.attemptId} canMark={false} />
    </>
  );
  return (
    <section>
      <p class="crumbs">
        <Link href={`/review/${id}`}>{t('script.back')}</Link>
      </p>
      <PageHead title={t('script.title', { name: m.candidate.name || m.candidate.id })} sub={t('script.sub', { exam: m.exam.title, id: m.candidate.id, attempt: d.archive.attemptId })}>
        <button type="button" class="btn btn-primary" onClick={printNow}>
          {t('script.print')}
        </button>
      </PageHead>
      <div class="card">{body}</div>
      <PrintArea label="script">
        <article class="print-page print-script">
          <h1>{t('script.sheetTitle')}</h1>
          {body}
        </article>
      </PrintArea>
    </section>
  );
}
