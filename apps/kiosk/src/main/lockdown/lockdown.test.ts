// Lockdown modules against the NAMED FAKE Electron (test/fakes/fake-electron.ts): the real
// runtime cannot exist on this machine. These check our wiring; test/electron/ checks the real thing.
import { describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, fakeContext, fakeEvent, type FakeWebContents } from '../../../test/fakes/fake-electron.ts';
import { QuitAttemptLimiter } from '../policy/quit-code.ts';
import { QuitGate } from '../policy/quit-gate.ts';
import { clipboardGuard } from './clipboard-guard.ts';
import { contentProtection } from './content-protection.ts';
import { cspHeaders } from './csp-headers.ts';
import { devtoolsBlock } from './devtools-block.ts';
import { displayCovers } from './display-covers.ts';
import { AnotherInstanceRunning, installLockdown, LOCKDOWN_MODULES, type LockdownModule } from './index.ts';
import { kioskWindow } from './kiosk-window.ts';
import { navigationGuard } from './navigation-guard.ts';
import { newWindowGuard } from './new-window-guard.ts';
import { permissionGuard } from './permission-guard.ts';
import { quitGuard } from './quit-guard.ts';
import { requestFilter } from './request-filter.ts';
import { shortcutFilter } from './shortcut-filter.ts';
import { singleInstance } from './single-instance.ts';
import { sleepBlocker } from './sleep-blocker.ts';

const wcOf = (w: unknown) => (w as FakeBrowserWindow).webContents;

describe('LOCKDOWN_MODULES', () => {
  it('lists every rule once, single instance first and the quit guard second', () => {
    const names = LOCKDOWN_MODULES.map((m) => m.name);
    expect(names).toEqual([
      'singleInstance',
      'quitGuard',
      'kioskWindow',
      'displayCovers',
      'contentProtection',
      'shortcutFilter',
      'navigationGuard',
      'newWindowGuard',
      'permissionGuard',
      'requestFilter',
      'cspHeaders',
      'devtoolsBlock',
      'clipboardGuard',
      'sleepBlocker',
    ]);
    expect(Object.isFrozen(LOCKDOWN_MODULES)).toBe(true);
  });

  it('installs all of them on a window and undoes them all', () => {
    const { ctx, electron, examWindow } = fakeContext();
    const dispose = installLockdown(LOCKDOWN_MODULES, ctx);
    expect(examWindow).toMatchObject({ kiosk: true, fullScreen: true, alwaysOnTop: true, contentProtection: true });
    expect(electron.powerSaveBlocker.started.size).toBe(1);
    expect(electron.app.listenerCount('before-quit')).toBe(1);
    dispose();
    expect(electron.powerSaveBlocker.started.size).toBe(0);
    expect(electron.app.listenerCount('before-quit')).toBe(0);
    expect(electron.app.listenerCount('web-contents-created')).toBe(0);
    expect(examWindow.webContents.listenerCount('will-navigate')).toBe(0);
  });
});

describe('installLockdown', () => {
  const recorder = (log: string[], name: string, fail = false): LockdownModule => ({
    name,
    install() {
      if (fail) throw new Error('boom');
      log.push(`+${name}`);
      return () => void log.push(`-${name}`);
    },
  });

  it('installs in order and disposes in reverse order', () => {
    const log: string[] = [];
    const dispose = installLockdown([recorder(log, 'a'), recorder(log, 'b'), recorder(log, 'c')], fakeContext().ctx);
    dispose();
    expect(log).toEqual(['+a', '+b', '+c', '-c', '-b', '-a']);
  });

  it('undoes what was installed when a module fails, and names the module', () => {
    const log: string[] = [];
    expect(() => installLockdown([recorder(log, 'a'), recorder(log, 'b'), recorder(log, 'bad', true), recorder(log, 'never')], fakeContext().ctx)).toThrow(
      'lockdown module bad: boom',
    );
    expect(log).toEqual(['+a', '+b', '-b', '-a']);
  });
});

describe('the lockdown modules', () => {
  it('singleInstance: a second kiosk stops (and opens the quit gate); the first comes to the front', () => {
    const { ctx, electron, examWindow } = fakeContext();
    const dispose = singleInstance.install(ctx);
    electron.app.emit('second-instance');
    expect(examWindow.calls).toEqual(expect.arrayContaining(['show', 'focus']));
    dispose();

    const second = fakeContext();
    second.electron.app.singleInstanceLock = false;
    expect(() => singleInstance.install(second.ctx)).toThrow(AnotherInstanceRunning);
    expect(second.ctx.quitGate.isOpen).toBe(true);
  });

  it('quitGuard: quitting and closing are refused while the gate is closed, allowed once it opens', () => {
    const gate = new QuitGate(null, new QuitAttemptLimiter(), () => 0);
    const { ctx, electron, examWindow } = fakeContext({ quitGate: gate });
    const dispose = quitGuard.install(ctx);
    const q1 = fakeEvent();
    electron.app.emit('before-quit', q1);
    const c1 = fakeEvent();
    examWindow.emit('close', c1);
    expect([q1.defaultPrevented, c1.defaultPrevented]).toEqual([true, true]);
    electron.app.emit('window-all-closed');
    expect(electron.app.quitCalls).toBe(0);

    electron.powerMonitor.emit('shutdown');
    expect(gate.reason).toBe('os-shutdown');
    const q2 = fakeEvent();
    electron.app.emit('before-quit', q2);
    expect(q2.defaultPrevented).toBe(false);
    dispose();
    expect(electron.powerMonitor.listenerCount('shutdown')).toBe(0);
  });

  it('quitGuard: a Windows log-off opens the gate too', () => {
    const { ctx, examWindow } = fakeContext();
    quitGuard.install(ctx);
    examWindow.emit('session-end', fakeEvent());
    expect(ctx.quitGate.reason).toBe('os-shutdown');
  });

  it('kioskWindow: kiosk + fullscreen + on top, no menu, re-asserted when left, refocused after blur, zoom pinned', async () => {
    const { ctx, electron, examWindow } = fakeContext();
    const dispose = kioskWindow.install(ctx);
    expect(electron.Menu.applicationMenu).toBeNull();
    expect(examWindow).toMatchObject({ kiosk: true, fullScreen: true, alwaysOnTop: true });
    examWindow.fullScreen = false;
    examWindow.kiosk = false;
    examWindow.emit('leave-full-screen');
    expect(examWindow).toMatchObject({ kiosk: true, fullScreen: true });
    examWindow.webContents.zoomFactor = 2;
    examWindow.webContents.emit('zoom-changed', fakeEvent(), 'in');
    expect(examWindow.webContents.zoomFactor).toBe(1);
    examWindow.focused = false;
    examWindow.emit('blur');
    await new Promise((r) => setTimeout(r, 300));
    expect(examWindow.calls).toEqual(expect.arrayContaining(['moveTop', 'focus']));
    // A crashed page is reloaded (at once the first time; policy/crash-reload.ts spaces out repeats).
    const reload = vi.spyOn(examWindow.webContents, 'reload');
    examWindow.webContents.emit('render-process-gone', fakeEvent(), { reason: 'crashed' });
    await new Promise((r) => setTimeout(r, 20));
    expect(reload).toHaveBeenCalledTimes(1);
    dispose();
    expect(examWindow.listenerCount('blur')).toBe(0);
  });

  it('displayCovers: a black unfocusable cover on each other display, following plug and unplug', () => {
    const { ctx, electron } = fakeContext();
    electron.screen.displays = [
      { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } },
      { id: 2, bounds: { x: 1920, y: 0, width: 1280, height: 1024 } },
    ];
    const dispose = displayCovers.install(ctx);
    const covers = () => FakeBrowserWindow.all.filter((w) => w.options.focusable === false && !w.destroyed);
    expect(covers()).toHaveLength(1);
    expect(covers()[0]!.bounds).toEqual({ x: 1920, y: 0, width: 1280, height: 1024 });
    expect(covers()[0]).toMatchObject({ alwaysOnTop: true, contentProtection: true, options: { backgroundColor: '#000000', skipTaskbar: true } });
    const refused = fakeEvent();
    covers()[0]!.emit('close', refused);
    expect(refused.defaultPrevented).toBe(true);

    electron.screen.displays.push({ id: 3, bounds: { x: -1920, y: 0, width: 1920, height: 1080 } });
    electron.screen.emit('display-added');
    expect(covers().map((w) => w.bounds.x).sort()).toEqual([-1920, 1920]);
    electron.screen.displays = electron.screen.displays.filter((d) => d.id !== 2);
    electron.screen.emit('display-removed');
    expect(covers().map((w) => w.bounds.x)).toEqual([-1920]);
    dispose();
    expect(covers()).toHaveLength(0);
  });

  it('shortcutFilter: blocked chords never reach the page, typing does; applies to later webContents too', () => {
    const { ctx, reported } = fakeContext({ platform: 'win32' });
    shortcutFilter.install(ctx);
    const press = (wc: FakeWebContents, key: string, mods = {}) => {
      const e = fakeEvent();
      wc.emit('before-input-event', e, { type: 'keyDown', key, control: false, alt: false, shift: false, meta: false, ...mods });
      return e.defaultPrevented;
    };
    const wc = wcOf(ctx.examWindow);
    expect(press(wc, 'F4', { alt: true })).toBe(true);
    expect(press(wc, 'w', { control: true })).toBe(true);
    expect(press(wc, 'a')).toBe(false);
    const later = new FakeBrowserWindow();
    expect(press(later.webContents, 'F12')).toBe(true);
    // Staff hear about each blocked chord (the agent throttles), never about ordinary typing.
    expect(reported).toEqual([
      ['shortcut_blocked', 'Alt+F4'],
      ['shortcut_blocked', 'Ctrl+W'],
      ['shortcut_blocked', 'F12'],
    ]);
  });

  it('navigationGuard: navigation, frame navigation and redirects leave the app only when cancelled; no webviews', () => {
    const { ctx } = fakeContext();
    navigationGuard.install(ctx);
    const wc = wcOf(ctx.examWindow);
    for (const ev of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const out = fakeEvent({ url: 'https://evil.example/' });
      wc.emit(ev, out);
      expect(out.defaultPrevented, ev).toBe(true);
      const inside = fakeEvent({ url: 'app://kiosk/index.html#/exam' });
      wc.emit(ev, inside);
      expect(inside.defaultPrevented, ev).toBe(false);
    }
    const webview = fakeEvent();
    wc.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
  });

  it('newWindowGuard: every window.open is denied', () => {
    const { ctx } = fakeContext();
    newWindowGuard.install(ctx);
    expect(wcOf(ctx.examWindow).windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(wcOf(ctx.examWindow).windowOpenHandler!({ url: 'app://kiosk/index.html' })).toEqual({ action: 'deny' });
  });

  it('permissionGuard: requests answered no, checks false, downloads cancelled', () => {
    const { ctx, electron } = fakeContext();
    permissionGuard.install(ctx);
    const s = electron.session.defaultSession;
    const answers: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'fullscreen', 'display-capture']) {
      (s.handlers.permissionRequest as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)(null, p, (ok) => answers.push(ok));
    }
    expect(answers).toEqual([false, false, false, false, false, false]);
    expect((s.handlers.permissionCheck as () => boolean)()).toBe(false);
    expect((s.handlers.devicePermission as () => boolean)()).toBe(false);
    const dl = fakeEvent();
    s.emit('will-download', dl);
    expect(dl.defaultPrevented).toBe(true);
  });

  it('requestFilter and cspHeaders: only app files load, every response carries the CSP', () => {
    const { ctx, electron } = fakeContext();
    requestFilter.install(ctx);
    cspHeaders.install(ctx);
    const s = electron.session.defaultSession;
    const decide = (url: string) => {
      let out: unknown;
      (s.handlers.onBeforeRequest as (d: unknown, cb: (r: unknown) => void) => void)({ url, resourceType: 'script' }, (r) => (out = r));
      return out;
    };
    expect(decide('app://kiosk/assets/a.js')).toEqual({ cancel: false });
    expect(decide('https://cdn.example/x.js')).toEqual({ cancel: true });
    let headers: Record<string, string[]> = {};
    (s.handlers.onHeadersReceived as (d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void)(
      { responseHeaders: { 'content-security-policy': ['default-src *'] } },
      (r) => (headers = r.responseHeaders),
    );
    expect(headers['Content-Security-Policy']![0]).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toBeUndefined();
  });

  it('devtoolsBlock: opened devtools are closed at once, unless a dev run allows them', () => {
    const { ctx } = fakeContext();
    devtoolsBlock.install(ctx);
    const wc = wcOf(ctx.examWindow);
    wc.openDevTools();
    expect(wc.isDevToolsOpened()).toBe(false);

    const dev = fakeContext({ devToolsAllowed: true });
    devtoolsBlock.install(dev.ctx);
    wcOf(dev.ctx.examWindow).openDevTools();
    expect(wcOf(dev.ctx.examWindow).isDevToolsOpened()).toBe(true);
  });

  it('contentProtection, sleepBlocker, clipboardGuard', () => {
    const { ctx, electron, examWindow } = fakeContext();
    const undoProtection = contentProtection.install(ctx);
    expect(examWindow.contentProtection).toBe(true);
    undoProtection();
    expect(examWindow.contentProtection).toBe(false);

    const undoSleep = sleepBlocker.install(ctx);
    expect(electron.powerSaveBlocker.types).toEqual(['prevent-display-sleep']);
    expect(electron.powerSaveBlocker.started.size).toBe(1);
    undoSleep();
    expect(electron.powerSaveBlocker.started.size).toBe(0);

    const undoClip = clipboardGuard.install(ctx);
    expect(electron.clipboard.clears).toBe(1);
    examWindow.emit('focus');
    expect(electron.clipboard.clears).toBe(2);
    undoClip();
    expect(electron.clipboard.clears).toBe(3);
  });
});
