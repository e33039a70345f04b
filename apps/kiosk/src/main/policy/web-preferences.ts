/**
 * The exam window's webPreferences: the renderer is an untrusted web page that can only call the
 * named functions the preload exposes. Every setting is written out, even the defaults, so a
 * change is visible in review and caught by tests (and by the build test on the bundle).
 */
export interface ExamWebPreferencesOptions {
  preloadPath: string;
  /** Only ever true in an unpackaged development run that asked for it. */
  devTools: boolean;
}

export function examWebPreferences(o: ExamWebPreferencesOptions) {
  return {
    preload: o.preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: o.devTools,
    safeDialogs: true,
    autoplayPolicy: 'user-gesture-required',
    disableDialogs: true,
    enableWebSQL: false,
  } as const;
}

/** Cover windows on extra displays show nothing and run nothing. */
export function coverWebPreferences() {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    javascript: false,
    devTools: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/** The exam window: fullscreen kiosk, frameless, above everything, not resizable, movable or closable by hand. */
export function examWindowOptions(o: ExamWebPreferencesOptions) {
  return {
    show: false,
    kiosk: true,
    fullscreen: true,
    fullscreenable: true,
    alwaysOnTop: true,
    frame: false,
    autoHideMenuBar: true,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    closable: false,
    backgroundColor: '#ffffff',
    title: 'Invigil Kiosk',
    webPreferences: examWebPreferences(o),
  } as const;
}
