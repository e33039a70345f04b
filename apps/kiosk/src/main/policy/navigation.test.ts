import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN, isAllowedNavigation, isAllowedRequest, isAppUrl, mimeTypeFor, resolveAppPath } from './navigation.ts';

describe('the app origin', () => {
  it('is app://kiosk and the entry page is on it', () => {
    expect(APP_ORIGIN).toBe('app://kiosk');
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
  });

  it('allows navigation only inside the app', () => {
    for (const ok of ['app://kiosk/index.html', 'app://kiosk/', 'app://kiosk/index.html#/exam', 'app://KIOSK/index.html?x=1']) expect(isAllowedNavigation(ok), ok).toBe(true);
    for (const bad of [
      'https://example.com/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'app://other/index.html',
      'app://kiosk:81/index.html',
      'app://user:pw@kiosk/',
      'javascript:alert(1)',
      'data:text/html,<h1>x</h1>',
      'about:blank',
      'chrome://settings',
      'devtools://devtools/bundled/inspector.html',
      '',
      'not a url',
    ])
      expect(isAllowedNavigation(bad), bad).toBe(false);
    expect(isAllowedNavigation(null)).toBe(false);
  });

  it('lets the renderer load only its own files, data: and its own blobs', () => {
    expect(isAllowedRequest('app://kiosk/assets/index-abc.js')).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true);
    expect(isAllowedRequest('blob:app://kiosk/0b1c')).toBe(true);
    expect(isAllowedRequest('blob:https://evil.example/0b1c')).toBe(false);
    expect(isAllowedRequest('https://fonts.example.com/x.woff2')).toBe(false);
    expect(isAllowedRequest('http://exam-server:8080/api/v1/exams')).toBe(false);
    expect(isAllowedRequest('ws://127.0.0.1:9222/')).toBe(false);
    expect(isAllowedRequest('file:///C:/Windows/win.ini')).toBe(false);
    expect(isAllowedRequest('devtools://devtools/bundled/x.js')).toBe(false);
    expect(isAllowedRequest('devtools://devtools/bundled/x.js', true)).toBe(true);
  });
});

describe('resolveAppPath', () => {
  const root = path.resolve('/opt/kiosk/dist/renderer');

  it('maps app URLs to files under the renderer folder; / is index.html', () => {
    expect(resolveAppPath(root, 'app://kiosk/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://kiosk/assets/app.js?v=1#x')).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveAppPath(root, 'app://kiosk/fonts/My%20Font.woff2')).toBe(path.join(root, 'fonts', 'My Font.woff2'));
  });

  it('never leaves the renderer folder', () => {
    for (const bad of [
      'app://kiosk/../main/main.cjs',
      'app://kiosk/%2e%2e/main/main.cjs',
      'app://kiosk/assets/%2e%2e%2f%2e%2e%2fmain/main.cjs',
      'app://kiosk/..%5c..%5cmain.cjs',
      'app://kiosk/a%00.js',
      'app://kiosk/%E0%A4%A',
      'app://other/index.html',
      'file:///opt/kiosk/dist/renderer/index.html',
    ]) {
      const got = resolveAppPath(root, bad);
      expect(got === null || got.startsWith(root + path.sep), `${bad} -> ${got}`).toBe(true);
    }
    expect(resolveAppPath(root, 'app://kiosk/%2e%2e/main/main.cjs')).not.toBe(path.resolve(root, '..', 'main', 'main.cjs'));
    expect(resolveAppPath(root, 'app://kiosk/a%00.js')).toBeNull();
    expect(resolveAppPath(root, 'app://other/index.html')).toBeNull();
  });

  it('gives module scripts a JavaScript content type', () => {
    expect(mimeTypeFor('/x/index.html')).toMatch(/^text\/html/);
    expect(mimeTypeFor('/x/assets/a.JS')).toMatch(/^text\/javascript/);
    expect(mimeTypeFor('/x/a.css')).toMatch(/^text\/css/);
    expect(mimeTypeFor('/x/a.woff2')).toBe('font/woff2');
    expect(mimeTypeFor('/x/a.exe')).toBe('application/octet-stream');
  });
});
