import { describe, expect, it } from 'vitest';
import { Backoff, backoffFor } from './backoff.ts';
import { EnvironmentMonitor, nameMatcher, normalizeProcessName, vmRiskScore } from './environment-checks.ts';
import { silentLogger } from './ports.ts';
import { fakePlatform } from './testing/fake-platform.ts';

const monitor = (p = fakePlatform(), o = {}) => new EnvironmentMonitor(p, o, () => Date.UTC(2026, 0, 1), silentLogger);

describe('environment checks', () => {
  it('VM risk is a score over several signals, not one string match', () => {
    expect(vmRiskScore([])).toBe(0);
    expect(vmRiskScore([{ name: 'low_resources', weight: 0.15 }])).toBeLessThan(0.6);
    const many = vmRiskScore([
      { name: 'dmi_vendor', weight: 0.7 },
      { name: 'cpu_hypervisor_flag', weight: 0.5 },
      { name: 'vm_mac_prefix', weight: 0.5 },
    ]);
    expect(many).toBeGreaterThan(0.9);
    expect(many).toBeLessThan(1);
    // the same signal twice counts once
    expect(vmRiskScore([{ name: 'x', weight: 0.5 }, { name: 'x', weight: 0.5 }])).toBe(0.5);
  });

  it('reports a suspected VM once, with its signals, when the score crosses the threshold', async () => {
    const p = fakePlatform({ vm: [{ name: 'dmi_vendor', weight: 0.7, detail: 'QEMU' }] });
    const m = monitor(p);
    await m.scan();
    await m.scan();
    const events = m.drain();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'vm_suspected', details: { score: 0.7 } });
    expect(String(events[0]!.details!.signals)).toContain('dmi_vendor(QEMU)');
  });

  it('VM guest tools among the processes add a signal', async () => {
    const m = monitor(fakePlatform({ procs: [{ name: 'VBoxService.exe' }], vm: [{ name: 'cpu_hypervisor_flag', weight: 0.5 }] }));
    await m.scan();
    expect(m.drain().find((e) => e.type === 'vm_suspected')?.details?.score).toBe(0.8);
  });

  it('flags remote-access, screen-sharing and configured forbidden processes when they appear', async () => {
    const p = fakePlatform({ procs: [{ name: 'bash' }, { name: 'C:\\Program Files\\AnyDesk\\AnyDesk.exe' }, { name: 'obs64.exe' }] });
    const m = monitor(p, { forbidden: ['calc*'] });
    await m.scan();
    expect(m.drain().map((e) => [e.type, e.details?.process, e.details?.category])).toEqual([
      ['remote_access', 'anydesk', undefined],
      ['forbidden_process', 'obs64', 'screen_sharing'],
    ]);
    await m.scan();
    expect(m.drain()).toEqual([]); // still running: not reported again
    p.procs = [{ name: 'calculator' }];
    await m.scan();
    expect(m.drain()).toMatchObject([{ type: 'forbidden_process', details: { process: 'calculator', category: 'forbidden' } }]);
  });

  it('reports a second display, and going back to one', async () => {
    const p = fakePlatform({ displays: 1 });
    const m = monitor(p);
    await m.scan();
    expect(m.drain()).toEqual([]);
    p.displays = 2;
    await m.scan();
    p.displays = 1;
    await m.scan();
    expect(m.drain().map((e) => e.details)).toEqual([{ count: 2, previous: 1 }, { count: 1, previous: 2 }]);
  });

  it('reports focus lost and regained', () => {
    const m = monitor();
    m.reportFocus(false);
    m.reportFocus(false);
    m.reportFocus(true);
    expect(m.drain().map((e) => e.type)).toEqual(['focus_lost', 'focus_regained']);
  });

  it('reports blocked shortcuts and clipboard uses, one event per kind per 30 s carrying the count', () => {
    let t = Date.UTC(2026, 0, 1);
    const m = new EnvironmentMonitor(fakePlatform(), {}, () => t, silentLogger);
    m.reportBlocked('shortcut_blocked', 'Alt+Tab');
    for (let i = 0; i < 9; i++) {
      t += 1_000;
      m.reportBlocked('shortcut_blocked', 'Alt+Tab');
    }
    m.reportBlocked('clipboard_blocked', 'paste');
    expect(m.drain().map((e) => [e.type, e.details])).toEqual([
      ['shortcut_blocked', { what: 'Alt+Tab', count: 1 }],
      ['clipboard_blocked', { what: 'paste', count: 1 }],
    ]);
    t += EnvironmentMonitor.BLOCKED_REPORT_EVERY_MS;
    m.reportBlocked('shortcut_blocked', 'Ctrl+W');
    // The nine swallowed since the first report are counted in the next one.
    expect(m.drain().map((e) => e.details)).toEqual([{ what: 'Ctrl+W', count: 10 }]);
  });

  it('reset (a new attempt, a sign-out): nothing queued before is sent, and the machine is reported afresh', async () => {
    const m = monitor(fakePlatform({ displays: 2, procs: [{ name: 'AnyDesk.exe' }] }));
    await m.scan();
    m.reportFocus(false);
    m.reset();
    expect(m.drain()).toEqual([]);
    m.reportFocus(true); // the loss before the reset is not this attempt's
    await m.scan();
    expect(m.drain().map((e) => e.type)).toEqual(['display_count', 'remote_access']);
  });

  it('a failing probe does not stop the other checks', async () => {
    const p = fakePlatform({ displays: 3 });
    p.processes = () => {
      throw new Error('ps not found');
    };
    const m = monitor(p);
    await m.scan();
    expect(m.drain().map((e) => e.type)).toEqual(['display_count']);
  });

  it('matches process names exactly or by declared prefix', () => {
    expect(normalizeProcessName('/usr/bin/X11VNC')).toBe('x11vnc');
    const match = nameMatcher(['zoom', 'splashtop*']);
    expect(match('Zoom.exe')).toBe('zoom');
    expect(match('zoomit')).toBeNull();
    expect(match('SplashtopStreamer.exe')).toBe('splashtopstreamer');
  });
});

describe('offline backoff', () => {
  it('grows exponentially with jitter between half and all of the step, capped, and resets', () => {
    let r = 0;
    const b = new Backoff({ baseMs: 100, maxMs: 1_000, random: () => r });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([50, 100, 200, 400, 500, 500]);
    r = 1;
    b.reset();
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
  });

  it('derives its pace from the heartbeat interval', () => {
    expect(backoffFor(10_000)).toEqual({ baseMs: 1_000, maxMs: 10_000 });
    expect(backoffFor(200)).toEqual({ baseMs: 100, maxMs: 1_000 });
    expect(backoffFor(120_000)).toEqual({ baseMs: 1_000, maxMs: 15_000 });
  });
});

describe('node platform probe', () => {
  it('lists real processes (this one among them), hardware facts and VM hints without throwing', async () => {
    const { nodePlatformProbe } = await import('./node-platform.ts');
    const { existsSync } = await import('node:fs');
    const p = nodePlatformProbe();
    if (process.platform === 'win32' || existsSync('/usr/bin/ps') || existsSync('/bin/ps')) {
      const procs = await p.processes();
      expect(procs.some((x) => x.pid === process.pid)).toBe(true);
    } else {
      await expect(p.processes()).rejects.toThrow(); // the monitor logs it and carries on
    }
    expect(p.hardware().cpuCount).toBeGreaterThan(0);
    const vm = await p.vmSignals();
    expect(Array.isArray(vm)).toBe(true);
    expect(p.displayCount()).toBeNull();
    // A machine id where the OS has one; a clear rejection where it has none (the agent then uses an install id).
    await p.machineId().then(
      (id) => expect(id.length).toBeGreaterThan(0),
      (err) => expect(err).toBeInstanceOf(Error),
    );
  });
});
