import { describe, expect, it } from 'vitest';
import { isTrustedSender } from './sender.ts';

const good = { webContentsId: 7, frameUrl: 'app://kiosk/index.html#/exam', isMainFrame: true };

describe('isTrustedSender', () => {
  it('trusts the exam window main frame on the app origin', () => {
    expect(isTrustedSender(good, 7)).toBe(true);
  });

  it('refuses another webContents, a subframe, a foreign or missing URL, or no exam window', () => {
    expect(isTrustedSender({ ...good, webContentsId: 8 }, 7)).toBe(false);
    expect(isTrustedSender({ ...good, isMainFrame: false }, 7)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: 'https://evil.example/' }, 7)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: 'file:///tmp/x.html' }, 7)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: null }, 7)).toBe(false);
    expect(isTrustedSender(good, null)).toBe(false);
  });
});
