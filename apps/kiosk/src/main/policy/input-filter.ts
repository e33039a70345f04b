/**
 * Which key presses the kiosk swallows before the page sees them (`before-input-event`).
 * Pure, so the whole table is unit-tested without Electron.
 *
 * The rule is an allow-list for modifier chords: with Ctrl (Cmd on macOS) only text editing
 * passes (select all, copy, cut, paste, undo, redo, word-wise caret moves and deletes); every
 * other chord — close, quit, reload, new window/tab, devtools, print, save, find, zoom, view
 * source, tab switching — is blocked. Function keys, the Windows/Super key and the browser/media
 * "launch" keys are blocked outright. AltGr (reported as Ctrl+Alt on Windows/Linux) and Option on
 * macOS still type characters.
 *
 * What this cannot stop: chords the OS handles before any app sees them (Ctrl+Alt+Del, Alt+Tab and
 * Win+L on Windows, Cmd+Tab outside kiosk mode on macOS, VT switching on Linux). Those are for the
 * OS lockdown (assigned access, a kiosk session); the kiosk reports every focus loss to staff.
 */

export type InputPlatform = 'darwin' | 'win32' | 'linux' | (string & {});

/** The fields of Electron's `Input` that the decision uses. */
export interface KeyInput {
  type: string; // 'keyDown' | 'keyUp' | 'rawKeyDown' | 'char' | mouse types...
  key: string;
  code?: string;
  control: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
}

const KEY_EVENTS = new Set(['keyDown', 'keyUp', 'rawKeyDown', 'char']);

/** Keys blocked whatever the modifiers. */
const ALWAYS_BLOCKED = new Set([
  'Meta',
  'OS',
  'Super',
  'Hyper',
  'ContextMenu',
  'PrintScreen',
  'Help',
  'BrowserBack',
  'BrowserForward',
  'BrowserRefresh',
  'BrowserStop',
  'BrowserSearch',
  'BrowserFavorites',
  'BrowserHome',
  'LaunchApplication1',
  'LaunchApplication2',
  'LaunchMail',
  'LaunchMediaPlayer',
  'LaunchCalculator',
  'LaunchMyComputer',
  'LaunchWebBrowser',
  'Find',
  'Open',
  'Print',
  'Save',
  'New',
  'Close',
  'ZoomIn',
  'ZoomOut',
  'ZoomToggle',
]);

/** Ctrl/Cmd + one of these letters edits text; every other Ctrl/Cmd chord is blocked. */
const EDITING_LETTERS = new Set(['a', 'c', 'v', 'x', 'z', 'y']);
/** Ctrl/Cmd + these move or delete by word/line inside a text field. */
const EDITING_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'Backspace', 'Delete']);
/** Alt + these is browser navigation (back, forward, home) or window management. */
const ALT_BLOCKED = new Set(['ArrowLeft', 'ArrowRight', 'Home', 'Tab', 'Escape', ' ', 'Spacebar', 'Enter', 'F4']);

/** Pressing a modifier on its own does nothing (the chord it starts is judged when it completes). */
const MODIFIER_KEYS = new Set(['Control', 'Shift', 'Alt', 'AltGraph', 'CapsLock', 'NumLock', 'Fn']);

const isFunctionKey = (key: string) => /^F\d{1,2}$/.test(key);
/** A key that types one character (`a`, `@`, `é`, `€`), not a named key (`Enter`, `ArrowLeft`). */
const isPrintable = (key: string) => [...key].length === 1 && key !== ' ';

/** true: swallow this input (call `event.preventDefault()`). Non-key input (mouse) is never blocked here. */
export function isBlockedInput(input: KeyInput, platform: InputPlatform): boolean {
  if (!KEY_EVENTS.has(input.type)) return false;
  const key = input.key;
  if (ALWAYS_BLOCKED.has(key) || isFunctionKey(key)) return true;
  if (MODIFIER_KEYS.has(key)) return false;

  const mac = platform === 'darwin';
  // The Windows/Super key: anything held with it is the OS's (Win+D, Win+R, Super+A...).
  if (input.meta && !mac) return true;

  const primary = mac ? input.meta : input.control;
  if (primary) {
    // AltGr on Windows/Linux arrives as Ctrl+Alt; it types characters (@, €, { on many layouts).
    if (!mac && input.alt && isPrintable(key)) return false;
    if (input.alt) return true;
    if (EDITING_KEYS.has(key)) return false;
    const letter = key.length === 1 ? key.toLowerCase() : '';
    return !EDITING_LETTERS.has(letter);
  }

  if (mac && input.control) {
    // Ctrl on macOS: Emacs-style caret keys in text fields (Ctrl+A/E/K...) are harmless, but
    // Ctrl+Tab switches tabs and Ctrl+arrows switch Spaces.
    return key === 'Tab' || key.startsWith('Arrow');
  }

  if (input.alt) {
    // Option on macOS and Alt on Windows/Linux + a character type characters (no menu bar here).
    if (isPrintable(key)) return false;
    return ALT_BLOCKED.has(key) || !mac;
  }

  return false;
}
