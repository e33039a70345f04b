import { ExamPolicyRequest, ExamWindowRequest, Question, type AdminExam, type AdminExamSummary, type Exam } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { Link } from '../router.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { EXAM_STATUS_TEXT } from './ExamsPage.tsx';

/** A question as edited in the form: options as "id: label" lines, keys as comma-separated ids. */
interface Draft {
  id: string;
  type: 'single' | 'multiple' | 'text';
  prompt: string;
  options: string;
  correct: string;
  points: string;
}

function toDraft(q: Question): Draft {
  return {
    id: q.id,
    type: q.type,
    prompt: q.prompt,
    options: (q.options ?? []).map((o) => `${o.id}: ${o.label}`).join('\n'),
    correct: (q.correct ?? []).join(', '),
    points: q.points === undefined ? '' : String(q.points),
  };
}

function fromDraft(d: Draft): unknown {
  const options = d.options
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(':');
      return i > 0 ? { id: l.slice(0, i).trim(), label: l.slice(i + 1).trim() } : { id: l, label: l };
    });
  const correct = d.correct
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    id: d.id.trim(),
    type: d.type,
    prompt: d.prompt,
    ...(d.type !== 'text' ? { options } : {}),
    ...(correct.length && d.type !== 'text' ? { correct } : {}),
    ...(d.points.trim() ? { points: Number(d.points) } : {}),
  };
}

const toLocal = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocal = (v: string) => (v ? new Date(v).toISOString() : null);

/** One exam: questions editor, open/close, window and session-policy overrides. */
export function ExamEditPage(props: { examId: string }) {
  const id = encodeURIComponent(props.examId);
  const exam = useLoad((signal) => api.get<Exam>(`/admin/exams/${id}`, undefined, signal), [id]);
  const [summary, setSummary] = useState<AdminExamSummary | null>(null);
  const [drafts, setDrafts] = useState<Draft[] | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [win, setWin] = useState({ opensAt: '', closesAt: '' });
  const [pol, setPol] = useState({ heartbeatIntervalMs: '', missedHeartbeatsBeforePause: '', maxRecoveryAttempts: '', pausedSessionTtlMs: '' });

  const adopt = (s: AdminExamSummary) => {
    setSummary(s);
    setWin({ opensAt: toLocal(s.opensAt), closesAt: toLocal(s.closesAt) });
    setPol({
      heartbeatIntervalMs: s.policy.heartbeatIntervalMs?.toString() ?? '',
      missedHeartbeatsBeforePause: s.policy.missedHeartbeatsBeforePause?.toString() ?? '',
      maxRecoveryAttempts: s.policy.maxRecoveryAttempts?.toString() ?? '',
      pausedSessionTtlMs: s.policy.pausedSessionTtlMs?.toString() ?? '',
    });
  };
  useEffect(() => {
    void api.get<{ exams: AdminExamSummary[] }>('/admin/exams', { limit: 1000 }).then((r) => {
      const s = r.exams.find((e) => e.id === props.examId);
      if (s) adopt(s);
    });
  }, [id]);
  useEffect(() => {
    if (exam.data && !drafts) setDrafts(exam.data.questions.map(toDraft));
  }, [exam.data]);

  const run = async (what: string, f: () => Promise<AdminExam>) => {
    setMsg(null);
    try {
      const r = await f();
      adopt(r);
      setMsg({ ok: true, text: what });
    } catch (e) {
      setMsg({ ok: false, text: messageOf(e) });
    }
  };

  if (exam.error && !exam.data) return <ErrorNote error={exam.error} />;
  if (!exam.data || !drafts) return <Loading what="the exam" />;
  const change = (i: number, patch: Partial<Draft>) => setDrafts(drafts.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  const locked = (summary?.sessionCount ?? 0) > 0;

  return (
    <section>
      <p class="crumbs">
        <Link href="/admin/exams">← Exams</Link>
      </p>
      <PageHead title={summary?.title ?? exam.data.title} sub={`${exam.data.durationMinutes} minutes · ${drafts.length} question${drafts.length === 1 ? '' : 's'}${summary ? ` · ${summary.registrationCount} candidates · ${summary.sessionCount} sessions` : ''}`}>
        {summary ? <span class={`flag exam-${summary.status}`}>{EXAM_STATUS_TEXT[summary.status]}</span> : null}
        {summary?.status !== 'open' ? (
          <button type="button" class="btn btn-primary" onClick={() => void run('Exam opened: candidates may start.', () => api.post(`/admin/exams/${id}/open`))}>
            Open exam
          </button>
        ) : (
          <button type="button" class="btn" onClick={() => void run('Exam closed: no new starts.', () => api.post(`/admin/exams/${id}/close`))}>
            Close exam
          </button>
        )}
        <Link href={`/admin/roster?exam=${id}`} class="btn">
          Roster
        </Link>
      </PageHead>
      {msg ? (
        <p class={`note ${msg.ok ? 'note-ok' : 'note-error'}`} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      ) : null}

      <div class="two-col">
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            const questions = drafts.map(fromDraft);
            const bad = questions.map((q, i) => [i, Question.safeParse(q)] as const).find(([, r]) => !r.success);
            if (bad) {
              const [i, r] = bad;
              return setMsg({ ok: false, text: `Question ${i + 1}: ${r.error!.issues.map((x) => `${x.path.join('.') || 'question'} ${x.message}`).join('; ')}` });
            }
            void run('Questions saved.', () => api.patch(`/admin/exams/${id}`, { questions }));
          }}
        >
          <div class="card-head">
            <h2>Questions</h2>
            <button
              type="button"
              class="btn"
              onClick={() => setDrafts([...drafts, { id: `q${drafts.length + 1}`, type: 'single', prompt: '', options: 'a: \nb: ', correct: '', points: '1' }])}
            >
              Add question
            </button>
          </div>
          {locked ? <p class="note">Sessions of this exam exist: its questions can no longer change.</p> : null}
          <ol class="question-list">
            {drafts.map((d, i) => (
              <li key={i} class="question">
                <fieldset>
                  <legend>Question {i + 1}</legend>
                  <div class="q-row">
                    <label class="field">
                      <span>Id</span>
                      <input value={d.id} required onInput={(e) => change(i, { id: e.currentTarget.value })} />
                    </label>
                    <label class="field">
                      <span>Type</span>
                      <select value={d.type} onChange={(e) => change(i, { type: e.currentTarget.value as Draft['type'] })}>
                        <option value="single">One answer</option>
                        <option value="multiple">Several answers</option>
                        <option value="text">Free text</option>
                      </select>
                    </label>
                    <label class="field">
                      <span>Points</span>
                      <input type="number" min={0} step="any" value={d.points} onInput={(e) => change(i, { points: e.currentTarget.value })} />
                    </label>
                  </div>
                  <label class="field">
                    <span>Prompt</span>
                    <textarea rows={2} required value={d.prompt} onInput={(e) => change(i, { prompt: e.currentTarget.value })} />
                  </label>
                  {d.type !== 'text' ? (
                    <div class="q-row">
                      <label class="field q-grow">
                        <span>Options, one per line as “id: label”</span>
                        <textarea rows={3} value={d.options} onInput={(e) => change(i, { options: e.currentTarget.value })} />
                      </label>
                      <label class="field">
                        <span>Correct option ids</span>
                        <input value={d.correct} placeholder="a, c" onInput={(e) => change(i, { correct: e.currentTarget.value })} />
                      </label>
                    </div>
                  ) : null}
                  <div class="q-actions">
                    <button type="button" class="btn btn-small" disabled={i === 0} onClick={() => setDrafts(swap(drafts, i, i - 1))} aria-label={`Move question ${i + 1} up`}>
                      ↑ Up
                    </button>
                    <button type="button" class="btn btn-small" disabled={i === drafts.length - 1} onClick={() => setDrafts(swap(drafts, i, i + 1))} aria-label={`Move question ${i + 1} down`}>
                      ↓ Down
                    </button>
                    <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setDrafts(drafts.filter((_, j) => j !== i))} aria-label={`Remove question ${i + 1}`}>
                      Remove
                    </button>
                  </div>
                </fieldset>
              </li>
            ))}
          </ol>
          <button type="submit" class="btn btn-primary" disabled={locked}>
            Save questions
          </button>
        </form>

        <div class="stack">
          <form
            class="card"
            onSubmit={(e) => {
              e.preventDefault();
              const parsed = ExamWindowRequest.safeParse({ opensAt: fromLocal(win.opensAt), closesAt: fromLocal(win.closesAt) });
              if (!parsed.success) return setMsg({ ok: false, text: parsed.error.issues.map((x) => x.message).join('; ') });
              void run('Window saved.', () => api.put(`/admin/exams/${id}/window`, parsed.data));
            }}
          >
            <h2>When candidates may start</h2>
            <label class="field">
              <span>Opens (empty: no limit)</span>
              <input type="datetime-local" value={win.opensAt} onInput={(e) => setWin({ ...win, opensAt: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Closes (empty: no limit)</span>
              <input type="datetime-local" value={win.closesAt} onInput={(e) => setWin({ ...win, closesAt: e.currentTarget.value })} />
            </label>
            <button type="submit" class="btn">
              Save window
            </button>
          </form>
          <form
            class="card"
            onSubmit={(e) => {
              e.preventDefault();
              const body = Object.fromEntries(Object.entries(pol).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, Number(v)]));
              const parsed = ExamPolicyRequest.safeParse(body);
              if (!parsed.success) return setMsg({ ok: false, text: parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
              void run('Session policy saved.', () => api.put(`/admin/exams/${id}/policy`, parsed.data));
            }}
          >
            <h2>Session policy for this exam</h2>
            <p class="muted small">Empty fields use the server’s settings.</p>
            <label class="field">
              <span>Heartbeat interval (ms)</span>
              <input type="number" min={1000} max={300000} value={pol.heartbeatIntervalMs} onInput={(e) => setPol({ ...pol, heartbeatIntervalMs: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Missed heartbeats before auto-pause</span>
              <input type="number" min={1} max={100} value={pol.missedHeartbeatsBeforePause} onInput={(e) => setPol({ ...pol, missedHeartbeatsBeforePause: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Wrong recovery tokens before lock</span>
              <input type="number" min={1} max={100} value={pol.maxRecoveryAttempts} onInput={(e) => setPol({ ...pol, maxRecoveryAttempts: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Paused session lifetime (ms)</span>
              <input type="number" min={60000} value={pol.pausedSessionTtlMs} onInput={(e) => setPol({ ...pol, pausedSessionTtlMs: e.currentTarget.value })} />
            </label>
            <button type="submit" class="btn">
              Save policy
            </button>
          </form>
        </div>
      </div>
    </section>
  );
}

function swap<T>(a: T[], i: number, j: number): T[] {
  const b = [...a];
  [b[i], b[j]] = [b[j]!, b[i]!];
  return b;
}
