import { ExamPolicyRequest, ExamWindowRequest, Question, UpdateExamRequest, type AdminExam } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { t, useLang } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { useCloseExam } from './close-exam.tsx';
import { examStatusText } from './ExamsPage.tsx';

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

const secOf = (ms: number | undefined) => (ms === undefined ? '' : String(ms / 1000));
const minOf = (ms: number | undefined) => (ms === undefined ? '' : String(ms / 60_000));

/** One exam: code, lifecycle, title/duration, questions editor, window and session-policy overrides. */
export function ExamEditPage(props: { examId: string }) {
  useLang();
  const id = encodeURIComponent(props.examId);
  const exam = useLoad((signal) => api.get<AdminExam>(`/admin/exams/${id}`, undefined, signal), [id]);
  const [summary, setSummary] = useState<AdminExam | null>(null);
  const [drafts, setDrafts] = useState<Draft[] | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [win, setWin] = useState({ opensAt: '', closesAt: '' });
  const [basics, setBasics] = useState({ title: '', durationMinutes: '' });
  const [pol, setPol] = useState({ heartbeatIntervalS: '', missedHeartbeatsBeforePause: '', maxRecoveryAttempts: '', pausedSessionTtlMin: '' });

  const adopt = (s: AdminExam) => {
    setSummary(s);
    setBasics({ title: s.title, durationMinutes: String(s.durationMinutes) });
    setWin({ opensAt: toLocal(s.opensAt), closesAt: toLocal(s.closesAt) });
    setPol({
      heartbeatIntervalS: secOf(s.policy.heartbeatIntervalMs),
      missedHeartbeatsBeforePause: s.policy.missedHeartbeatsBeforePause?.toString() ?? '',
      maxRecoveryAttempts: s.policy.maxRecoveryAttempts?.toString() ?? '',
      pausedSessionTtlMin: minOf(s.policy.pausedSessionTtlMs),
    });
  };
  useEffect(() => {
    if (!exam.data) return;
    adopt(exam.data);
    if (!drafts) setDrafts(exam.data.questions.map(toDraft));
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
  const closing = useCloseExam(
    (r) => {
      adopt(r);
      setMsg({ ok: true, text: t('exam.closedMsg') });
    },
    (text) => setMsg({ ok: false, text }),
  );

  if (exam.error && !exam.data) return <ErrorNote error={exam.error} />;
  if (!exam.data || !drafts || !summary) return <Loading what={t('exam.loading')} />;
  const change = (i: number, patch: Partial<Draft>) => setDrafts(drafts.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  const locked = summary.sessionCount > 0;

  return (
    <section>
      <p class="crumbs">
        <Link href="/admin/exams">{t('exam.back')}</Link>
      </p>
      {closing.dialog}
      <PageHead
        title={summary.title}
        sub={t('exam.sub', { minutes: summary.durationMinutes, questions: drafts.length, candidates: summary.registrationCount, sessions: summary.sessionCount })}
      >
        <span class={`flag exam-${summary.status}`}>{examStatusText(summary.status)}</span>
        {summary.status !== 'open' ? (
          <button type="button" class="btn btn-primary" onClick={() => void run(t('exam.opened'), () => api.post(`/admin/exams/${id}/open`))}>
            {t('exam.open')}
          </button>
        ) : (
          <button type="button" class="btn" onClick={() => void closing.close(props.examId)}>
            {t('exam.close')}
          </button>
        )}
        <button
          type="button"
          class="btn"
          onClick={async () => {
            try {
              const copy = await api.post<AdminExam>(`/admin/exams/${id}/duplicate`);
              navigate(`/admin/exams/${encodeURIComponent(copy.id)}`);
              setDrafts(null);
              exam.reload();
              setMsg({ ok: true, text: t('exam.duplicated') });
            } catch (e) {
              setMsg({ ok: false, text: messageOf(e) });
            }
          }}
        >
          {t('exam.duplicate')}
        </button>
        <Link href={`/admin/exams/${id}/preview`} class="btn">
          {t('exam.preview')}
        </Link>
        <Link href={`/admin/roster?exam=${id}`} class="btn">
          {t('exam.roster')}
        </Link>
        <Link href={`/admin/exams/${id}/results`} class="btn">
          {t('exam.results')}
        </Link>
      </PageHead>
      <p class="exam-code-line">
        <span class="muted">{t('exam.code')}:</span> <strong class="exam-code exam-code-lg" aria-label={`${t('exam.code')} ${summary.code.split('').join(' ')}`}>{summary.code}</strong>{' '}
        <span class="muted small">{t('exam.codeHint')}</span>
      </p>
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
              return setMsg({ ok: false, text: t('exam.q.invalid', { n: i + 1, issues: r.error!.issues.map((x) => `${x.path.join('.') || 'question'} ${x.message}`).join('; ') }) });
            }
            void run(t('exam.questionsSaved'), () => api.patch(`/admin/exams/${id}`, { questions }));
          }}
        >
          <div class="card-head">
            <h2>{t('exam.questions')}</h2>
            <button
              type="button"
              class="btn"
              disabled={locked}
              onClick={() => setDrafts([...drafts, { id: `q${drafts.length + 1}`, type: 'single', prompt: '', options: 'a: \nb: ', correct: '', points: '1' }])}
            >
              {t('exam.addQuestion')}
            </button>
          </div>
          {locked ? (
            <p class="note note-locked">
              <strong class="lock-label">{t('exam.lockedLabel')}</strong>{' '}
              {t('exam.locked')}
            </p>
          ) : null}
          <ol class={`question-list${locked ? ' is-locked' : ''}`}>
            {drafts.map((d, i) => (
              <li key={i} class="question">
                <fieldset disabled={locked}>
                  <legend>{t('exam.question', { n: i + 1 })}</legend>
                  <div class="q-row">
                    <label class="field">
                      <span>{t('exam.q.id')}</span>
                      <input value={d.id} required onInput={(e) => change(i, { id: e.currentTarget.value })} />
                    </label>
                    <label class="field">
                      <span>{t('exam.q.type')}</span>
                      <select value={d.type} onChange={(e) => change(i, { type: e.currentTarget.value as Draft['type'] })}>
                        <option value="single">{t('exam.q.single')}</option>
                        <option value="multiple">{t('exam.q.multiple')}</option>
                        <option value="text">{t('exam.q.text')}</option>
                      </select>
                    </label>
                    <label class="field">
                      <span>{t('exam.q.points')}</span>
                      <input type="number" min={0} step="any" value={d.points} onInput={(e) => change(i, { points: e.currentTarget.value })} />
                    </label>
                  </div>
                  <label class="field">
                    <span>{t('exam.q.prompt')}</span>
                    <textarea rows={2} required value={d.prompt} onInput={(e) => change(i, { prompt: e.currentTarget.value })} />
                  </label>
                  {d.type !== 'text' ? (
                    <div class="q-row">
                      <label class="field q-grow">
                        <span>{t('exam.q.options')}</span>
                        <textarea rows={3} value={d.options} onInput={(e) => change(i, { options: e.currentTarget.value })} />
                      </label>
                      <label class="field">
                        <span>{t('exam.q.correct')}</span>
                        <input value={d.correct} placeholder="a, c" onInput={(e) => change(i, { correct: e.currentTarget.value })} />
                      </label>
                    </div>
                  ) : null}
                  <div class="q-actions">
                    <button type="button" class="btn btn-small" disabled={i === 0} onClick={() => setDrafts(swap(drafts, i, i - 1))} aria-label={t('exam.q.upAria', { n: i + 1 })}>
                      {t('exam.q.up')}
                    </button>
                    <button type="button" class="btn btn-small" disabled={i === drafts.length - 1} onClick={() => setDrafts(swap(drafts, i, i + 1))} aria-label={t('exam.q.downAria', { n: i + 1 })}>
                      {t('exam.q.down')}
                    </button>
                    <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setDrafts(drafts.filter((_, j) => j !== i))} aria-label={t('exam.q.removeAria', { n: i + 1 })}>
                      {t('exam.q.remove')}
                    </button>
                  </div>
                </fieldset>
              </li>
            ))}
          </ol>
          <button type="submit" class="btn btn-primary" disabled={locked}>
            {t('exam.saveQuestions')}
          </button>
        </form>

        <div class="stack">
          <form
            class="card"
            onSubmit={(e) => {
              e.preventDefault();
              const body = UpdateExamRequest.safeParse({ title: basics.title, durationMinutes: Number(basics.durationMinutes) });
              if (!body.success) return setMsg({ ok: false, text: body.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
              void run(t('exam.settingsSaved'), () => api.patch(`/admin/exams/${id}`, body.data));
            }}
          >
            <h2>{t('exam.settings')}</h2>
            <label class="field">
              <span>{t('exams.field.title')}</span>
              <input required maxLength={300} value={basics.title} onInput={(e) => setBasics({ ...basics, title: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>{t('exams.field.duration')}</span>
              <input type="number" required min={1} max={1440} value={basics.durationMinutes} onInput={(e) => setBasics({ ...basics, durationMinutes: e.currentTarget.value })} />
            </label>
            <button type="submit" class="btn">
              {t('exam.saveSettings')}
            </button>
          </form>
          <form
            class="card"
            onSubmit={(e) => {
              e.preventDefault();
              const parsed = ExamWindowRequest.safeParse({ opensAt: fromLocal(win.opensAt), closesAt: fromLocal(win.closesAt) });
              if (!parsed.success) return setMsg({ ok: false, text: parsed.error.issues.map((x) => x.message).join('; ') });
              void run(t('exam.windowSaved'), () => api.put(`/admin/exams/${id}/window`, parsed.data));
            }}
          >
            <h2>{t('exam.window')}</h2>
            <label class="field">
              <span>{t('exam.opens')}</span>
              <input type="datetime-local" value={win.opensAt} onInput={(e) => setWin({ ...win, opensAt: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>{t('exam.closes')}</span>
              <input type="datetime-local" value={win.closesAt} onInput={(e) => setWin({ ...win, closesAt: e.currentTarget.value })} />
            </label>
            <button type="submit" class="btn">
              {t('exam.saveWindow')}
            </button>
          </form>
          <form
            class="card"
            onSubmit={(e) => {
              e.preventDefault();
              const num = (v: string, k: number) => (v.trim() === '' ? undefined : Math.round(Number(v) * k));
              const body = Object.fromEntries(
                Object.entries({
                  heartbeatIntervalMs: num(pol.heartbeatIntervalS, 1000),
                  missedHeartbeatsBeforePause: num(pol.missedHeartbeatsBeforePause, 1),
                  maxRecoveryAttempts: num(pol.maxRecoveryAttempts, 1),
                  pausedSessionTtlMs: num(pol.pausedSessionTtlMin, 60_000),
                }).filter(([, v]) => v !== undefined),
              );
              const parsed = ExamPolicyRequest.safeParse(body);
              if (!parsed.success) return setMsg({ ok: false, text: parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
              void run(t('exam.policySaved'), () => api.put(`/admin/exams/${id}/policy`, parsed.data));
            }}
          >
            <h2>{t('exam.policy')}</h2>
            <p class="muted small">{t('exam.policyHint')}</p>
            <label class="field">
              <span>{t('exam.policy.heartbeat')}</span>
              <input type="number" min={1} max={300} step="any" value={pol.heartbeatIntervalS} onInput={(e) => setPol({ ...pol, heartbeatIntervalS: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>{t('exam.policy.missed')}</span>
              <input type="number" min={1} max={100} value={pol.missedHeartbeatsBeforePause} onInput={(e) => setPol({ ...pol, missedHeartbeatsBeforePause: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>{t('exam.policy.recovery')}</span>
              <input type="number" min={1} max={100} value={pol.maxRecoveryAttempts} onInput={(e) => setPol({ ...pol, maxRecoveryAttempts: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span>{t('exam.policy.ttl')}</span>
              <input type="number" min={1} max={43200} step="any" value={pol.pausedSessionTtlMin} onInput={(e) => setPol({ ...pol, pausedSessionTtlMin: e.currentTarget.value })} />
            </label>
            <button type="submit" class="btn">
              {t('exam.savePolicy')}
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
