import { describe, expect, it } from 'vitest';
import { isBlockedInput, type KeyInput } from './input-filter.ts';

const key = (k: string, mods: Partial<Omit<KeyInput, 'key'>> = {}): KeyInput => ({ type: 'keyDown', key: k, control: false, alt: false, shift: false, meta: false, ...mods });

describe('isBlockedInput on Windows and Linux', () => {
  for (const platform of ['win32', 'linux'] as const) {
    it(`${platform}: blocks the chords that close, quit, reload, open windows, devtools, print, zoom`, () => {
      const blocked: KeyInput[] = [
        key('F4', { alt: true }),
        key('Tab', { alt: true }),
        key('Escape', { alt: true }),
        key(' ', { alt: true }),
        key('ArrowLeft', { alt: true }), // history back
        key('ArrowRight', { alt: true }),
        key('Home', { alt: true }),
        key('w', { control: true }),
        key('W', { control: true, shift: true }),
        key('q', { control: true }),
        key('r', { control: true }),
        key('R', { control: true, shift: true }),
        key('n', { control: true }),
        key('t', { control: true }),
        key('I', { control: true, shift: true }),
        key('J', { control: true, shift: true }),
        key('p', { control: true }),
        key('s', { control: true }),
        key('o', { control: true }),
        key('f', { control: true }),
        key('u', { control: true }),
        key('+', { control: true }),
        key('-', { control: true }),
        key('0', { control: true }),
        key('Tab', { control: true }),
        key('PageDown', { control: true }),
        key('Delete', { control: true, alt: true }),
        key('F5'),
        key('F11'),
        key('F12'),
        key('F1'),
        key('Meta'),
        key('d', { meta: true }),
        key('r', { meta: true }),
        key('BrowserBack'),
        key('BrowserRefresh'),
        key('ContextMenu'),
        key('PrintScreen'),
      ];
      for (const input of blocked) expect(isBlockedInput(input, platform), JSON.stringify(input)).toBe(true);
    });

    it(`${platform}: lets typing and text editing through`, () => {
      const allowed: KeyInput[] = [
        key('a'),
        key('A', { shift: true }),
        key('é'),
        key('Enter'),
        key('Backspace'),
        key('Tab'),
        key('Tab', { shift: true }),
        key('Escape'),
        key('ArrowLeft'),
        key(' '),
        key('a', { control: true }),
        key('c', { control: true }),
        key('v', { control: true }),
        key('V', { control: true, shift: true }),
        key('x', { control: true }),
        key('z', { control: true }),
        key('Z', { control: true, shift: true }),
        key('y', { control: true }),
        key('ArrowLeft', { control: true }),
        key('ArrowRight', { control: true, shift: true }),
        key('Backspace', { control: true }),
        key('Home', { control: true }),
        key('@', { control: true, alt: true }), // AltGr+Q on a German layout
        key('€', { control: true, alt: true }),
        key('Shift', { shift: true }),
        key('Control', { control: true }),
      ];
      for (const input of allowed) expect(isBlockedInput(input, platform), JSON.stringify(input)).toBe(false);
    });
  }

  it('blocks on key up as on key down, and never blocks mouse input', () => {
    expect(isBlockedInput({ ...key('F5'), type: 'keyUp' }, 'win32')).toBe(true);
    expect(isBlockedInput({ ...key('F5'), type: 'rawKeyDown' }, 'win32')).toBe(true);
    expect(isBlockedInput({ ...key('F5'), type: 'mouseDown' }, 'win32')).toBe(false);
  });
});

describe('isBlockedInput on macOS (Cmd is the primary modifier)', () => {
  it('blocks Cmd+Q/W/R/N/T/M/H, Cmd+Option+I, Cmd+Tab, Cmd+comma, Ctrl+Tab and Ctrl+arrows (Spaces)', () => {
    for (const input of [
      key('q', { meta: true }),
      key('w', { meta: true }),
      key('r', { meta: true }),
      key('n', { meta: true }),
      key('t', { meta: true }),
      key('m', { meta: true }),
      key('h', { meta: true }),
      key('i', { meta: true, alt: true }),
      key('Tab', { meta: true }),
      key(',', { meta: true }),
      key('F', { meta: true, control: true }), // fullscreen toggle
      key('Tab', { control: true }),
      key('ArrowRight', { control: true }),
      key('F11'),
      key('Meta', { meta: true }),
    ])
      expect(isBlockedInput(input, 'darwin'), JSON.stringify(input)).toBe(true);
  });

  it('lets Cmd editing chords, Option characters and Emacs caret keys through', () => {
    for (const input of [
      key('a', { meta: true }),
      key('c', { meta: true }),
      key('v', { meta: true }),
      key('z', { meta: true }),
      key('Z', { meta: true, shift: true }),
      key('ArrowLeft', { meta: true }),
      key('Backspace', { meta: true }),
      key('é', { alt: true }),
      key('∑', { alt: true }),
      key('e', { control: true }),
      key('k', { control: true }),
    ])
      expect(isBlockedInput(input, 'darwin'), JSON.stringify(input)).toBe(false);
  });
});
