import type { LockdownModule } from './types.ts';

/**
 * The exam window is excluded from screen capture and screen sharing (Windows: WDA_EXCLUDEFROMCAPTURE,
 * macOS: NSWindowSharingNone; Linux has no such thing, where the agent's process checks report
 * screen-sharing tools instead). Cover windows set it themselves.
 */
export const contentProtection: LockdownModule = {
  name: 'contentProtection',
  install({ examWindow }) {
    examWindow.setContentProtection(true);
    return () => {
      if (!examWindow.isDestroyed()) examWindow.setContentProtection(false);
    };
  },
};
