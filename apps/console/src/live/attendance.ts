import type { AttendanceResponse } from '@invigil/contract';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { t } from '../i18n/index.ts';

/**
 * Attendance of the rooms in scope (every registered candidate, started or not), fetched now and
 * every few seconds, and again whenever `bump` changes (after an ID check, a room action…).
 */
export function useAttendance(query: { examId?: string; roomId?: string } = {}, everyMs = 5_000): { data: AttendanceResponse | null; error: string | null; refresh: () => void } {
  const [data, setData] = useState<AttendanceResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  const key = `${query.examId ?? ''}|${query.roomId ?? ''}`;
  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const r = await api.get<AttendanceResponse>('/proctor/attendance', { examId: query.examId, roomId: query.roomId });
        if (live) {
          setData(r);
          setError(null);
        }
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    };
    void load();
    const t = everyMs > 0 ? setInterval(() => void load(), everyMs) : null;
    return () => {
      live = false;
      if (t) clearInterval(t);
    };
  }, [key, n, everyMs]);
  return { data, error, refresh: () => setN((x) => x + 1) };
}

/** Words for the attendance states. */
export const ATTENDANCE_LABEL: Readonly<Record<AttendanceResponse['candidates'][number]['attendance'], string>> = {
  get not_signed_in() {
    return t('live.att.not_signed_in');
  },
  get signed_in() {
    return t('live.att.signed_in');
  },
  get started() {
    return t('live.att.started');
  },
  get finished() {
    return t('live.att.finished');
  },
};
