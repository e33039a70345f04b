import type { Note, Waiver } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { dateTime, time } from '../format.ts';

/** The review's incident log: the attempt's notes, its room's notes, and the check waivers its candidate was granted. */
export function IncidentsCard(props: { attemptId: string }) {
  const [d, setD] = useState<{ notes: Note[]; roomNotes: Note[]; waivers: Waiver[] } | null>(null);
  useEffect(() => {
    let live = true;
    api.get<{ notes: Note[]; roomNotes: Note[]; waivers: Waiver[] }>(`/review/sessions/${encodeURIComponent(props.attemptId)}/incidents`).then(
      (r) => live && setD(r),
      () => live && setD({ notes: [], roomNotes: [], waivers: [] }),
    );
    return () => {
      live = false;
    };
  }, [props.attemptId]);
  if (!d) return null;
  const all = [...d.notes.map((n) => ({ n, room: false })), ...d.roomNotes.map((n) => ({ n, room: true }))].sort((a, b) => a.n.at.localeCompare(b.n.at));
  return (
    <div class="card" data-testid="incidents">
      <h2>
        Incident log <span class="count-pill">{all.length + d.waivers.length}</span>
      </h2>
      {all.length === 0 && d.waivers.length === 0 ? <p class="muted">No notes, no waivers.</p> : null}
      <ul class="plain-list">
        {d.waivers.map((w) => (
          <li key={w.id}>
            <time class="muted num">{dateTime(w.at)}</time> <strong>Allowed to start despite failed checks</strong> ({w.checks.join(', ')}) by {w.grantedByName}: {w.reason}
          </li>
        ))}
        {all.map(({ n, room }) => (
          <li key={n.id}>
            <time class="muted num">{time(n.at)}</time> <strong>{room ? 'Room note' : 'Note'}</strong> by {n.authorName}: {n.text}
          </li>
        ))}
      </ul>
    </div>
  );
}
