import { describe, expect, it } from 'vitest';
import { parseDevice } from './device-info.ts';

describe('parseDevice', () => {
  it.each([
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1', 'mobile', 'iPhone'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36', 'mobile', 'Pixel 8'],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1', 'tablet', 'iPad'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'desktop', 'Windows'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Invigil/0.1.0 Chrome/130.0.0.0 Electron/33.0.0 Safari/537.36', 'desktop', 'Linux'],
    ['curl/8.5.0', 'bot', ''],
  ])('%s → %s', (ua, type, name) => {
    const d = parseDevice(ua);
    expect(d.deviceType).toBe(type);
    expect(d.deviceName).toContain(name);
  });

  it('a substring in the wrong place does not fool it (an Android tablet without "Mobile" is a tablet)', () => {
    const d = parseDevice('Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36');
    expect(d.deviceType).toBe('tablet');
  });

  it('an empty user agent is unknown', () => {
    expect(parseDevice('').deviceType).toBe('unknown');
  });
});
