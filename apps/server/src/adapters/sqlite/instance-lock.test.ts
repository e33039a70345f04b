import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InstanceLockRefused } from '../../ports/instance-lock.ts';
import { lockDataDir } from './instance-lock.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Takes the lock in another process and holds it until killed; resolves once it is held. */
function holdInChild(dir: string, mode: 'exclusive' | 'shared') {
  const code = `import { lockDataDir } from ${JSON.stringify(join(HERE, 'instance-lock.ts'))}; lockDataDir(${JSON.stringify(dir)}, ${JSON.stringify(mode)}); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise<typeof child>((res, rej) => {
    child.stdout!.on('data', (d) => String(d).includes('held') && res(child));
    child.on('exit', (c) => rej(new Error(`lock holder exited ${c}`)));
  });
}

describe('the data-folder lock', () => {
  it('exclusive: a second taker is refused with a sentence naming REDIS_URL; released, it can be taken again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'invigil-lock-'));
    const first = lockDataDir(dir, 'exclusive');
    const e = (() => {
      try {
        lockDataDir(dir, 'exclusive');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(InstanceLockRefused);
    expect((e as Error).message).toMatch(/already serving DATA_DIR .*REDIS_URL/);
    expect(() => lockDataDir(dir, 'shared')).toThrow(InstanceLockRefused);
    await first.release();
    await (lockDataDir(dir, 'exclusive')).release();
  });

  it('shared: any number of holders, and no exclusive taker meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'invigil-lock-'));
    const child = await holdInChild(dir, 'shared');
    const mine = lockDataDir(dir, 'shared');
    expect(() => lockDataDir(dir, 'exclusive')).toThrow(/REDIS_URL/);
    await mine.release();
    child.kill('SIGKILL');
  });

  it('is released by the operating system when the holder dies, however it dies (no stale lock)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'invigil-lock-'));
    const child = await holdInChild(dir, 'exclusive');
    expect(() => lockDataDir(dir, 'exclusive')).toThrow(InstanceLockRefused);
    await new Promise<void>((res) => {
      child.once('exit', () => res());
      child.kill('SIGKILL');
    });
    await lockDataDir(dir, 'exclusive').release();
  });
});
