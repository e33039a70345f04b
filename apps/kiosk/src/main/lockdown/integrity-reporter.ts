import type { IntegrityReporter } from './types.ts';

/**
 * The lockdown modules are installed before the agent is created (the window must be locked down
 * first), so they report to this holder; main attaches the agent when it exists. Reports made
 * before that are dropped: nobody is signed in yet, so there is no session to tell staff about.
 */
export class LateIntegrityReporter implements IntegrityReporter {
  private target: IntegrityReporter | null = null;

  attach(target: { reportBlocked(type: 'shortcut_blocked' | 'clipboard_blocked', what: string): void }): void {
    this.target = { blocked: (type, what) => target.reportBlocked(type, what) };
  }

  blocked(type: 'shortcut_blocked' | 'clipboard_blocked', what: string): void {
    this.target?.blocked(type, what);
  }
}
