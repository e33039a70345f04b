import type { AdminExamSummary, AdminRegistration, ReissuedCode, RosterReport } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, ApiError, auth, messageOf, url } from '../api.ts';
import { useLocation } from '../router.tsx';
import { ErrorNote, PageHead, useLoad } from '../ui/bits.tsx';
import { CandidateSignIns } from './CandidateSignIns.tsx';
import { LoginSlips } from './LoginSlips.tsx';
import { t, useLang } from '../i18n/index.ts';
import { Dialog } from '../ui/Dialog.tsx';

type Phase = { kind: 'idle' } | { kind: 'reading'; done: number; total: number } | { kind: 'uploading'; done: number; total: number } | { kind: 'processing' } | { kind: 'done' } | { kind: 'failed' };

/** POSTs the roster with upload progress (fetch cannot report it; XMLHttpRequest can). */
function upload(path: string, query: Record<string, string>, body: string, contentType: string, onProgress: (done: number, total: number) => void, onSent: () => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url(path, query));
    xhr.setRequestHeader('content-type', contentType);
    const token = auth.token();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : body.length);
    xhr.upload.onload = () => onSent();
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status === 401) auth.set(null);
      resolve({ status: xhr.status, body: parsed });
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'the upload failed: the server cannot be reached'));
    xhr.send(body);
  });
}

function readFile(file: File, onProgress: (done: number, total: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onprogress = (e) => onProgress(e.loaded, e.total || file.size);
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('the file could not be read'));
    r.readAsText(file);
  });
}

const nf = new Intl.NumberFormat();

/** Roster import: a CSV or JSON file, with a progress bar and the per-row report; then the exam's registrations. */
export function RosterPage() {
  useLang();
  const { search } = useLocation();
  const exams = useLoad((signal) => api.get<{ exams: AdminExamSummary[] }>('/admin/exams', { limit: 1000 }, signal), []);
  // The exam the user picked (or the address named); until then the newest one. The default is
  // derived, not written into state by an effect: such an effect ran with the examId of the render
  // that brought the list, so a choice made before it ran (a quick pick as the list appeared) was
  // overwritten and the roster went into the newest exam instead of the chosen one.
  const [picked, setPicked] = useState(search.get('exam') ?? '');
  const examId = picked || (exams.data?.exams[0]?.id ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [atomic, setAtomic] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [rows, setRows] = useState<number | null>(null);
  const [report, setReport] = useState<RosterReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [regsKey, setRegsKey] = useState(0);

  const busy = phase.kind === 'reading' || phase.kind === 'uploading' || phase.kind === 'processing';
  const start = async (e: Event) => {
    e.preventDefault();
    if (!file || !examId) return;
    setError(null);
    setReport(null);
    try {
      setPhase({ kind: 'reading', done: 0, total: file.size });
      const text = await readFile(file, (done, total) => setPhase({ kind: 'reading', done, total }));
      const isJson = /\.json$/i.test(file.name) || text.trimStart().startsWith('{');
      setRows(isJson ? null : Math.max(0, text.split(/\r?\n/).filter((l) => l.trim()).length - 1));
      setPhase({ kind: 'uploading', done: 0, total: text.length });
      const r = await upload(
        `/admin/exams/${encodeURIComponent(examId)}/roster`,
        { atomic: String(atomic), format: isJson ? 'json' : 'csv' },
        text,
        isJson ? 'application/json' : 'text/csv',
        (done, total) => setPhase({ kind: 'uploading', done, total }),
        () => setPhase({ kind: 'processing' }),
      );
      const body = r.body as (RosterReport & { error?: undefined }) | { error: { code: string; message: string; details?: unknown } } | null;
      if ((r.status === 200 || r.status === 422) && body && 'imported' in body) {
        setReport(body);
        setPhase({ kind: 'done' });
        setRegsKey((k) => k + 1);
      } else {
        const err = body && 'error' in body && body.error ? body.error : { code: `HTTP_${r.status}`, message: 'the import failed' };
        setPhase({ kind: 'failed' });
        setError(new ApiError(r.status, err.code, err.message, 'details' in err ? err.details : undefined));
      }
    } catch (err) {
      setPhase({ kind: 'failed' });
      setError(err);
    }
  };

  return (
    <section>
      <PageHead title={t('roster.title')} sub={t('roster.sub')} />
      <div class="two-col">
        <form class="card" onSubmit={start} aria-describedby="roster-help">
          <label class="field">
            <span>{t('roster.exam')}</span>
            <select value={examId} onChange={(e) => setPicked(e.currentTarget.value)} required>
              {(exams.data?.exams ?? []).map((x) => (
                <option key={x.id} value={x.id}>
                  {x.title} ({nf.format(x.registrationCount)} candidates)
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('roster.file')}</span>
            <input type="file" accept=".csv,.json,text/csv,application/json" required onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
          </label>
          <label class="check">
            <input type="checkbox" checked={atomic} onChange={(e) => setAtomic(e.currentTarget.checked)} />
            <span>{t('roster.atomic')}</span>
          </label>
          <p id="roster-help" class="muted small">
            Without “all or nothing”, good rows are imported and bad ones are listed below with their line. Importing a candidate again updates the name, code and placement.
          </p>
          <button type="submit" class="btn btn-primary" disabled={busy || !file || !examId}>
            {busy ? t('roster.importing') : t('roster.import')}
          </button>
        </form>
        <div class="card" aria-live="polite">
          <h2>{t('roster.progress')}</h2>
          <Progress phase={phase} rows={rows} report={report} />
          <ErrorNote error={error ?? exams.error} />
        </div>
      </div>
      {report ? <Report report={report} /> : null}
      {report?.issuedCodes?.length ? <LoginSlips slips={report.issuedCodes} examCode={report.examCode ?? ''} examTitle={exams.data?.exams.find((x) => x.id === examId)?.title ?? ''} /> : null}
      {examId ? <Registrations examId={examId} key={`${examId}:${regsKey}`} /> : null}
    </section>
  );
}

function Progress(props: { phase: Phase; rows: number | null; report: RosterReport | null }) {
  const { phase } = props;
  const pct = (d: number, t: number) => (t > 0 ? Math.min(100, Math.round((d / t) * 100)) : 0);
  // Three steps share the bar: reading the file (0–20 %), uploading (20–70 %), the server's check and save (70–100 %).
  let value: number | null;
  let text: string;
  switch (phase.kind) {
    case 'idle':
      return <p class="muted">{t('roster.choose')}</p>;
    case 'reading':
      value = (pct(phase.done, phase.total) * 20) / 100;
      text = `Reading the file… ${pct(phase.done, phase.total)} %`;
      break;
    case 'uploading':
      value = 20 + (pct(phase.done, phase.total) * 50) / 100;
      text = `Uploading${props.rows !== null ? ` ${nf.format(props.rows)} rows` : ''}… ${pct(phase.done, phase.total)} %`;
      break;
    case 'processing':
      value = null;
      text = `The server is checking and saving${props.rows !== null ? ` ${nf.format(props.rows)}` : ''} rows…`;
      break;
    case 'done':
      value = 100;
      text = props.report ? `Done: ${nf.format(props.report.imported)} of ${nf.format(props.report.total)} rows imported${props.report.failed ? `, ${nf.format(props.report.failed)} failed` : ''}.` : 'Done.';
      break;
    case 'failed':
      value = 0;
      text = 'The import failed.';
      break;
  }
  return (
    <div data-testid="roster-progress" data-phase={phase.kind}>
      <div class="progress-label">
        <span role="status">{text}</span>
        {value !== null ? <span class="num nowrap">{Math.round(value)} %</span> : null}
      </div>
      {value === null ? <progress aria-label="Import progress" /> : <progress aria-label="Import progress" max={100} value={value} />}
    </div>
  );
}

function Report(props: { report: RosterReport }) {
  const r = props.report;
  const [filter, setFilter] = useState('');
  const shown = filter ? r.errors.filter((e) => `${e.line} ${e.candidateId ?? ''} ${e.field} ${e.message}`.toLowerCase().includes(filter.toLowerCase())) : r.errors;
  return (
    <div class="card" data-testid="roster-report">
      <h2>{t('roster.report')}</h2>
      {r.atomic && r.failed > 0 ? <p class="note note-error">{t('roster.atomicFailed')}</p> : null}
      <div class="report-stats">
        <div>
          <span class="muted">{t('roster.rows')}</span>
          <strong>{nf.format(r.total)}</strong>
        </div>
        <div>
          <span class="muted">{t('roster.imported')}</span>
          <strong>{nf.format(r.imported)}</strong>
        </div>
        <div>
          <span class="muted">{t('roster.new')}</span>
          <strong>{nf.format(r.created)}</strong>
        </div>
        <div>
          <span class="muted">{t('roster.updated')}</span>
          <strong>{nf.format(r.updated)}</strong>
        </div>
        <div>
          <span class="muted">{t('roster.failed')}</span>
          <strong class={r.failed ? 'warn-text' : ''}>{nf.format(r.failed)}</strong>
        </div>
      </div>
      {r.errors.length ? (
        <>
          <div class="card-head">
            <h3>{t('roster.problems')}</h3>
            <label class="field field-inline">
              <span class="sr-only">Filter problems</span>
              <input type="search" placeholder="Filter: line, candidate, field…" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
            </label>
          </div>
          <div class="scroll-table">
            <table class="table">
              <caption class="sr-only">Rows that were not imported, with the reason</caption>
              <thead>
                <tr>
                  <th scope="col">{t('roster.line')}</th>
                  <th scope="col">{t('roster.candidate')}</th>
                  <th scope="col">{t('roster.field')}</th>
                  <th scope="col">{t('roster.problem')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.slice(0, 500).map((e, i) => (
                  <tr key={i}>
                    <td class="num">{e.line}</td>
                    <td class="mono">{e.candidateId ?? '—'}</td>
                    <td class="mono">{e.field}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown.length > 500 ? <p class="muted small">Showing the first 500 of {nf.format(shown.length)}; filter to find others.</p> : null}
          {r.errorsTruncated ? <p class="muted small">The server lists the first {nf.format(r.errors.length)} problems only.</p> : null}
        </>
      ) : (
        <p class="note note-ok">{t('roster.allImported')}</p>
      )}
    </div>
  );
}

function Registrations(props: { examId: string }) {
  const [offset, setOffset] = useState(0);
  const [signIns, setSignIns] = useState<AdminRegistration | null>(null);
  const [reissue, setReissue] = useState<AdminRegistration | null>(null);
  const [reissued, setReissued] = useState<ReissuedCode | null>(null);
  const [reissueError, setReissueError] = useState<string | null>(null);
  const limit = 50;
  const regs = useLoad(
    (signal) => api.get<{ total: number; registrations: AdminRegistration[] }>(`/admin/exams/${encodeURIComponent(props.examId)}/registrations`, { limit, offset }, signal),
    [props.examId, offset],
  );
  const total = regs.data?.total ?? 0;
  return (
    <div class="card">
      <div class="card-head">
        <h2>Registered candidates ({nf.format(total)})</h2>
        <div class="page-actions">
          <button type="button" class="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
            Previous
          </button>
          <span class="muted small num">
            {total ? `${nf.format(offset + 1)}–${nf.format(Math.min(total, offset + limit))}` : '0'}
          </span>
          <button type="button" class="btn btn-small" disabled={offset + limit >= total} onClick={() => setOffset(offset + limit)}>
            Next
          </button>
        </div>
      </div>
      <ErrorNote error={regs.error} />
      <table class="table">
        <caption class="sr-only">Registrations</caption>
        <thead>
          <tr>
            <th scope="col">{t('roster.candidate')}</th>
            <th scope="col">{t('slips.name')}</th>
            <th scope="col">{t('roster.center')}</th>
            <th scope="col">{t('slips.room')}</th>
            <th scope="col">{t('slips.seat')}</th>
            <th scope="col">{t('acc.column')}</th>
            <th scope="col">
              <span class="sr-only">Sign-ins</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(regs.data?.registrations ?? []).map((r) => (
            <tr key={r.candidateId}>
              <td class="mono">{r.candidateId}</td>
              <td>{r.name}</td>
              <td>{r.centerName ?? '—'}</td>
              <td>{r.roomName ?? '—'}</td>
              <td>{r.seat ?? '—'}</td>
              <td class="small">{r.extraTimeMinutes || r.restBreakMinutes ? t('acc.value', { extra: r.extraTimeMinutes, rest: r.restBreakMinutes }) : '—'}</td>
              <td class="nowrap">
                <button type="button" class="btn btn-small btn-quiet" onClick={() => setSignIns(r)} aria-label={`Sign-ins of ${r.candidateId}`}>
                  Sign-ins
                </button>{' '}
                <button type="button" class="btn btn-small btn-quiet" onClick={() => setReissue(r)} aria-label={t('reissue.aria', { id: r.candidateId })}>
                  {t('reissue.button')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {signIns ? <CandidateSignIns examId={props.examId} candidateId={signIns.candidateId} name={signIns.name} onClose={() => setSignIns(null)} /> : null}
      {reissueError ? (
        <p class="note note-error" role="alert">
          {reissueError}
        </p>
      ) : null}
      {reissued ? (
        <>
          <p class="note note-ok" role="status">
            {t('reissue.done', { id: reissued.candidateId, code: reissued.accessCode, n: reissued.loginsRevoked })}
          </p>
          <LoginSlips slips={[reissued]} examCode={reissued.examCode} examTitle={reissued.examTitle} />
        </>
      ) : null}
      {reissue ? (
        <Dialog title={t('reissue.title')} tone="danger" onClose={() => setReissue(null)}>
          <p>{t('reissue.body', { name: reissue.name, id: reissue.candidateId })}</p>
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => setReissue(null)}>
              {t('exam.cancel')}
            </button>{' '}
            <button
              type="button"
              class="btn btn-danger"
              data-autofocus
              onClick={async () => {
                setReissueError(null);
                try {
                  setReissued(await api.post<ReissuedCode>(`/admin/exams/${encodeURIComponent(props.examId)}/registrations/${encodeURIComponent(reissue.candidateId)}/access-code`));
                } catch (e) {
                  setReissueError(messageOf(e));
                }
                setReissue(null);
              }}
            >
              {t('reissue.confirm')}
            </button>
          </div>
        </Dialog>
      ) : null}
    </div>
  );
}
