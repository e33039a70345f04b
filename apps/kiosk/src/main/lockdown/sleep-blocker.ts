import type { LockdownModule } from './types.ts';

/** The display does not sleep or lock during an exam. */
export const sleepBlocker: LockdownModule = {
  name: 'sleepBlocker',
  install({ electron: { powerSaveBlocker } }) {
    const id = powerSaveBlocker.start('prevent-display-sleep');
    return () => {
      if (powerSaveBlocker.isStarted(id)) powerSaveBlocker.stop(id);
    };
  },
};
