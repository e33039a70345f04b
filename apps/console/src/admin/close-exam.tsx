import type { AdminExam } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, ApiError, messageOf } from '../api.ts';
import { t } from '../i18n/index.ts';
import { Dialog } from '../ui/Dialog.tsx';

/**
 * Closing an exam: the server refuses (409 SESSIONS_RUNNING) while sessions run unless confirmed;
 * then this asks, saying what happens to them, and closes with ?confirm=true.
 */
export function useCloseExam(done: (e: AdminExam) => void, fail: (message: string) => void) {
  const [pending, setPending] = useState<{ examId: string; message: string } | null>(null);
  const close = async (examId: string, confirm = false) => {
    try {
      const r = await api.post<AdminExam>(`/admin/exams/${encodeURIComponent(examId)}/close`, undefined, confirm ? { confirm: 'true' } : undefined);
      setPending(null);
      done(r);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'SESSIONS_RUNNING') setPending({ examId, message: err.message });
      else fail(messageOf(err));
    }
  };
  const dialog = pending ? (
    <Dialog title={t('exam.closeConfirmTitle')} tone="danger" onClose={() => setPending(null)}>
      <p>{pending.message}</p>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={() => setPending(null)}>
          {t('exam.cancel')}
        </button>{' '}
        <button type="button" class="btn btn-danger" data-autofocus onClick={() => void close(pending.examId, true)}>
          {t('exam.closeConfirm')}
        </button>
      </div>
    </Dialog>
  ) : null;
  return { close: (examId: string) => close(examId), dialog };
}
