import type { Event, Input } from 'electron';
import { isBlockedInput } from '../policy/input-filter.ts';
import { forEachWebContents } from './each-web-contents.ts';
import type { LockdownModule } from './types.ts';

/** Swallows blocked key chords before the page sees them (the table is policy/input-filter.ts). */
export const shortcutFilter: LockdownModule = {
  name: 'shortcutFilter',
  install(ctx) {
    return forEachWebContents(ctx, (wc) => {
      const onInput = (e: Event, input: Input) => {
        if (!isBlockedInput(input, ctx.platform)) return;
        e.preventDefault();
        if (input.type === 'keyDown') ctx.log.info('shortcut blocked', { key: input.key, control: input.control, alt: input.alt, meta: input.meta, shift: input.shift });
      };
      wc.on('before-input-event', onInput);
      return () => wc.removeListener('before-input-event', onInput);
    });
  },
};
