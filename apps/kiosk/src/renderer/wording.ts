import type { KioskState } from '@invigil/contract';

/** What the end screen says: time up (the server's last word was 0 seconds left), submitted, ended, expired. */
export function finishedWording(status: KioskState['session']['status'], timeRemaining: number | null): { title: string; text: string } {
  if ((status === 'completed' || status === 'expired') && timeRemaining === 0) {
    return { title: 'Time is up', text: 'Your time ran out, so your exam was handed in. Your answers are stored on the exam server. You may now leave your desk quietly.' };
  }
  if (status === 'completed') return { title: 'Your exam is submitted', text: 'Thank you. Your answers are stored on the exam server. You may now leave your desk quietly.' };
  return { title: status === 'terminated' ? 'Your exam was ended by staff' : 'Your exam has expired', text: 'Your answers up to this moment are stored. Please wait for a proctor.' };
}

/** The warning shown above the exam when time runs low: 5 minutes, then 1 minute. */
export function timeWarning(left: number | null): '5' | '1' | null {
  if (left === null || left <= 0) return null;
  if (left <= 60) return '1';
  if (left <= 300) return '5';
  return null;
}
