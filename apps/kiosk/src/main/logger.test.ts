import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleLogger } from './logger.ts';

afterEach(() => vi.restoreAllMocks());

describe('consoleLogger', () => {
  it('writes JSON lines at or above the level to the console and the sink; a failing sink is ignored', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const lines: string[] = [];
    const log = consoleLogger('info', { write: (l) => void lines.push(l) }, () => 0);
    log.debug('hidden');
    log.info('started', { version: '1' });
    log.error('boom');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: '1970-01-01T00:00:00.000Z', level: 'info', component: 'kiosk-main', msg: 'started', version: '1' },
      { time: '1970-01-01T00:00:00.000Z', level: 'error', component: 'kiosk-main', msg: 'boom' },
    ]);
    expect(out).toHaveBeenCalledTimes(1);
    expect(err).toHaveBeenCalledTimes(1);
    const silent: string[] = [];
    consoleLogger('silent', { write: (l) => void silent.push(l) }).error('nothing');
    expect(silent).toEqual([]);
    const broken = consoleLogger('debug', { write: () => { throw new Error('disk full'); } });
    expect(() => broken.warn('still fine')).not.toThrow();
  });
});
