import type { LiveSession, OfflineBundleUploadResponse, OfflineCodeResponse } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { shortDateTime } from '../format.ts';
import { useLocation } from '../router.tsx';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';

const ACTION_LABEL: Record<OfflineCodeResponse['action'], string> = {
  quit: 'Quit the kiosk',
  unlock: 'Unlock the exam on this kiosk',
  continue: 'Continue the exam after a restart',
};

/**
 * When the network is down in a room: answer a kiosk's offline challenge for a seat (quit, unlock,
 * continue), and upload the offline bundle a kiosk wrote to a USB stick (README "Offline staff
 * codes" / "Offline submission"). Everything is scoped to the rooms you proctor and audited.
 */
export function OfflinePage() {
  const { search } = useLocation();
  return (
    <section>
      <PageHead title="Offline codes and bundles" sub="For kiosks that cannot reach the server: answer their challenge, or upload the exam they saved." />
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
        <h2>Answer a kiosk’s challenge</h2>
      </div>
      <p class="muted">The kiosk shows a challenge of 15 characters (three groups of five). Pick the seat, type the challenge, read the code back to the kiosk. A code works once, on that kiosk only, for 10 minutes.</p>
      {room.loading && !room.data ? <Loading what="the seats" /> : null}
      <ErrorNote error={room.error} />
      <form onSubmit={submit}>
        <label class="field">
          <span>Seat</span>
          <select value={attemptId} onChange={(e) => setAttemptId((e.target as HTMLSelectElement).value)} required>
            <option value="">Choose the seat…</option>
            {seats.map((s) => (
              <option key={s.attemptId} value={s.attemptId}>
                {s.seat ? `Seat ${s.seat} — ` : ''}
                {s.candidate.name || s.candidate.id} ({s.candidate.id}, {s.status})
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Challenge shown on the kiosk</span>
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
          <span>Reason (for the audit trail)</span>
          <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} placeholder="e.g. network down in Room 2" maxLength={500} />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || !attemptId || !challenge.trim()}>
          {busy ? 'Getting the code…' : 'Get the code'}
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
            {ACTION_LABEL[answer.action]}
            {seat ? ` — ${seat.seat ? `seat ${seat.seat}, ` : ''}${seat.candidate.name || seat.candidate.id}` : ''}
          </h3>
          <p>Type this code on the kiosk:</p>
          <p class="resume-code" data-testid="offline-code" aria-label={`Code ${answer.code.split('').join(' ')}`}>
            {answer.code.split('-').map((g, i, all) => (
              <span key={i}>
                {g}
                {i < all.length - 1 ? ' – ' : ''}
              </span>
            ))}
          </p>
          <p class="muted">
            Valid until {shortDateTime(answer.validUntil)}, once. Recorded in the audit trail.
            {answer.unlockedOnServer ? ' The lock is lifted on the server as well.' : ''}
          </p>
          <details>
            <summary>Long code (for a kiosk that says it has no offline key)</summary>
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
        <h2>Upload an offline bundle</h2>
      </div>
      <p class="muted">
        A kiosk that never got its network back saves the exam to a USB stick (a <code>.invigil</code> file, encrypted to this server). Upload it here: the server checks it came from that
        kiosk unchanged and adds the answers it does not have yet. Uploading the same file twice changes nothing.
      </p>
      <form onSubmit={upload}>
        <label class="field">
          <span>Bundle file</span>
          <input type="file" accept=".invigil,application/json" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} required />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || !file}>
          {busy ? 'Uploading…' : 'Upload and merge'}
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
              {result.duplicate ? 'This bundle was uploaded before.' : 'Bundle merged.'} Candidate {result.candidateId}:
            </strong>{' '}
            {result.applied} answer{result.applied === 1 ? '' : 's'} stored, {result.unchanged} already on the server.
          </p>
          <p>{result.submittedNow ? 'The exam is now handed in (completed).' : `The attempt is ${result.status}.`}</p>
        </div>
      ) : null}
    </div>
  );
}
