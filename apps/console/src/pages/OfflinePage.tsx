import type { LiveSession, OfflineBundleUploadResponse, OfflineCodeResponse } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { shortDateTime } from '../format.ts';
import { useLocation } from '../router.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { t, useLang, type MessageKey } from '../i18n/index.ts';

const ACTION_LABEL: Record<OfflineCodeResponse['action'], MessageKey> = {
  quit: 'off.quit',
  unlock: 'off.unlock',
  continue: 'off.continue',
};

/**
 * When the network is down in a room: answer a kiosk's offline challenge for a seat (quit, unlock,
 * continue), and upload the offline bundle a kiosk wrote to a USB stick (README "Offline staff
 * codes" / "Offline submission"). Everything is scoped to the rooms you proctor and audited.
 */
export function OfflinePage() {
  useLang();
  const { search } = useLocation();
  return (
    <section>
      <PageHead title={t('off.title')} sub={t('off.sub')} />
      <div class="two-col">
        <ChallengeCard preselect={search.get('attemptId') ?? ''} />
        <BundleCard />
      </div>
    </section>
  );
}

function ChallengeCard(props: { preselect: string }) {
  const room = useLoad((signal) => api.get<{ sessions: LiveSession[] }>('/proctor/sessions', { includeFinished: true }, signal), []);
  const [attemptId, setAttemptId] = useState(props.preselect);
  const [challenge, setChallenge] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<OfflineCodeResponse | null>(null);
  const seats = (room.data?.sessions ?? []).slice().sort((a, b) => (a.seat ?? '').localeCompare(b.seat ?? '') || a.candidate.name.localeCompare(b.candidate.name));
  const seat = seats.find((s) => s.attemptId === attemptId);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setAnswer(null);
    setBusy(true);
    try {
      setAnswer(await api.post<OfflineCodeResponse>(`/proctor/sessions/${encodeURIComponent(attemptId)}/offline-code`, { challenge, ...(reason.trim() ? { reason: reason.trim() } : {}) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card">
      <div class="card-head">
        <h2>{t('off.challengeH')}</h2>
      </div>
      <p class="muted">{t('off.challengeHelp')}</p>
      {room.loading && !room.data ? <Loading what={t('off.loadingSeats')} /> : null}
      <ErrorNote error={room.error} />
      <form onSubmit={submit}>
        <label class="field">
          <span>{t('off.seat')}</span>
          <select value={attemptId} onChange={(e) => setAttemptId((e.target as HTMLSelectElement).value)} required>
            <option value="">{t('off.chooseSeat')}</option>
            {seats.map((s) => (
              <option key={s.attemptId} value={s.attemptId}>
                {s.seat ? t('off.seatPrefix', { seat: s.seat }) : ''}
                {s.candidate.name || s.candidate.id} ({s.candidate.id}, {s.status})
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('off.challenge')}</span>
          <input
            class="code-input"
            value={challenge}
            onInput={(e) => setChallenge((e.target as HTMLInputElement).value)}
            placeholder="XXXXX-XXXXX-XXXXX"
            autocomplete="off"
            spellcheck={false}
            required
            maxLength={40}
          />
        </label>
        <label class="field">
          <span>{t('off.reason')}</span>
          <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} placeholder={t('off.reasonPlaceholder')} maxLength={500} />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || !attemptId || !challenge.trim()}>
          {busy ? t('off.getting') : t('off.get')}
        </button>
      </form>
      {error ? (
        <p class="note note-error" role="alert">
          {messageOf(error)}
        </p>
      ) : null}
      {answer ? (
        <div class="offline-answer" role="status" data-testid="offline-answer">
          <h3>
            {t(ACTION_LABEL[answer.action])}
            {seat ? ` — ${seat.seat ? t('off.forSeat', { seat: seat.seat }) : ''}${seat.candidate.name || seat.candidate.id}` : ''}
          </h3>
          <p>{t('off.typeCode')}</p>
          <p class="resume-code" data-testid="offline-code" aria-label={t('off.codeAria', { code: answer.code.split('').join(' ') })}>
            {answer.code.split('-').map((g, i, all) => (
              <span key={i}>
                {g}
                {i < all.length - 1 ? ' – ' : ''}
              </span>
            ))}
          </p>
          <p class="muted">
            {t('off.valid', { time: shortDateTime(answer.validUntil) })}
            {answer.unlockedOnServer ? t('off.unlockedToo') : ''}
          </p>
          <details>
            <summary>{t('off.long')}</summary>
            <p class="long-code" data-testid="offline-long-code">
              {answer.longCode}
            </p>
          </details>
        </div>
      ) : null}
    </div>
  );
}

function BundleCard() {
  useLang();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<OfflineBundleUploadResponse | null>(null);

  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setResult(null);
    setBusy(true);
    try {
      const bundle = await file.text();
      setResult(await api.post<OfflineBundleUploadResponse>('/proctor/offline-bundles', { bundle }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card">
      <div class="card-head">
        <h2>{t('off.bundleH')}</h2>
      </div>
      <p class="muted">
        {t('off.bundleHelp1')}
        <code>.invigil</code>
        {t('off.bundleHelp2')}
      </p>
      <form onSubmit={upload}>
        <label class="field">
          <span>{t('off.file')}</span>
          <input type="file" accept=".invigil,application/json" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} required />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || !file}>
          {busy ? t('off.uploading') : t('off.upload')}
        </button>
      </form>
      {error ? (
        <p class="note note-error" role="alert">
          {messageOf(error)}
        </p>
      ) : null}
      {result ? (
        <div class="note note-ok" role="status" data-testid="bundle-result">
          <p>
            <strong>
              {result.duplicate ? t('off.dup') : t('off.merged')}
              {t('off.candidate', { id: result.candidateId })}
            </strong>{' '}
            {result.applied === 1 ? t('off.storedOne', { unchanged: result.unchanged }) : t('off.storedMany', { n: result.applied, unchanged: result.unchanged })}
          </p>
          <p>{result.submittedNow ? t('off.handedIn') : t('off.attemptIs', { status: result.status })}</p>
        </div>
      ) : null}
    </div>
  );
}
