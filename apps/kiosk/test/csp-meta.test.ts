import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CSP_DIRECTIVES } from '../src/main/policy/csp.ts';

const INDEX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'renderer', 'index.html');

describe('the renderer’s <meta> CSP and the header main sends', () => {
  it('agree: every directive in the meta tag has exactly the header’s sources (none looser)', async () => {
    const html = await readFile(INDEX, 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1];
    expect(meta, 'index.html carries a CSP meta tag').toBeTruthy();
    const directives = meta!.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]);
    expect(directives.length).toBeGreaterThan(3);
    for (const [name, ...sources] of directives) {
      expect(CSP_DIRECTIVES[name!], `${name} is in the header CSP`).toBeDefined();
      expect(sources, name).toEqual(CSP_DIRECTIVES[name!]);
    }
  });
});
