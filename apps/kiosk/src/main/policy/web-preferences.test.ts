import { describe, expect, it } from 'vitest';
import { coverWebPreferences, examWebPreferences, examWindowOptions } from './web-preferences.ts';

describe('exam window settings', () => {
  it('isolate and sandbox the renderer, with no Node and web security on', () => {
    const p = examWebPreferences({ preloadPath: '/x/preload.cjs', devTools: false });
    expect(p).toMatchObject({
      preload: '/x/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
      spellcheck: false,
    });
  });

  it('make a hidden-until-ready, frameless, fullscreen kiosk window that is always on top', () => {
    const o = examWindowOptions({ preloadPath: '/x/preload.cjs', devTools: false });
    expect(o).toMatchObject({ show: false, kiosk: true, fullscreen: true, alwaysOnTop: true, frame: false, closable: false, minimizable: false, resizable: false });
    expect(o.webPreferences.devTools).toBe(false);
  });

  it('give cover windows no script, no preload and no devtools', () => {
    const c = coverWebPreferences();
    expect(c).toMatchObject({ javascript: false, devTools: false, sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect('preload' in c).toBe(false);
  });
});
