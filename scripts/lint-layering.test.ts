// Proves the layering rules in eslint.config.js bite: the linter must reject I/O, clocks and
// foreign packages in core, anything but zod in contract, and electron in the agent.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: root });

/** Error-level rule ids ESLint reports for `code` as if it lived at `file` (repo-relative). */
async function errors(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  if (!result) throw new Error('ESLint returned no result');
  return result.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const CORE = 'packages/core/src/x.ts';
const CORE_TEST = 'packages/core/src/x.test.ts';
const CONTRACT = 'packages/contract/src/x.ts';
const AGENT = 'packages/agent/src/x.ts';

describe('layering lint rules', () => {
  it('accepts clean core code', async () => {
    const code = [
      "import type { SessionState } from './types.ts';",
      "import { remainingMs } from './clock.ts';",
      'export function left(s: SessionState, now: number): number {',
      '  return remainingMs(s, now) + new Date(now).getUTCSeconds() * 0;',
      '}',
    ].join('\n');
    expect(await errors(code, CORE)).toEqual([]);
  });

  it.each([
    ["import fs from 'node:fs';\nexport const x = fs;", 'no-restricted-imports'],
    ["import fs from 'fs';\nexport const x = fs;", 'no-restricted-imports'],
    ["import { createHash } from 'node:crypto';\nexport const x = createHash;", 'no-restricted-imports'],
    ["import { z } from 'zod';\nexport const x = z;", 'no-restricted-imports'],
    ["import { Hono } from 'hono';\nexport const x = Hono;", 'no-restricted-imports'],
    ["export * from '@invigil/contract';", 'no-restricted-imports'],
    ["export const x = await import('node:fs');", 'no-restricted-syntax'],
    ['export const x = Date.now();', 'no-restricted-properties'],
    ['export const x = new Date();', 'no-restricted-syntax'],
    ['export const x = performance.now();', 'no-restricted-properties'],
    ['export const x = Math.random();', 'no-restricted-properties'],
    ['setTimeout(() => {}, 1);', 'no-restricted-globals'],
    ['setInterval(() => {}, 1);', 'no-restricted-globals'],
    ['export const x = process.env.X;', 'no-restricted-globals'],
  ])('rejects in core: %s', async (code, rule) => {
    expect(await errors(code, CORE)).toContain(rule);
  });

  it('lets core tests use vitest and fast-check, but still no I/O', async () => {
    const ok = "import { it } from 'vitest';\nimport fc from 'fast-check';\nimport { x } from './x.ts';\nit('t', () => fc.assert(fc.property(fc.nat(), () => x === 1)));";
    expect(await errors(ok, CORE_TEST)).toEqual([]);
    expect(await errors("import fs from 'node:fs';\nexport const x = fs;", CORE_TEST)).toContain('no-restricted-imports');
  });

  it('lets contract import zod and relative files only', async () => {
    expect(await errors("import { z } from 'zod';\nimport { Id } from './common.ts';\nexport const X = z.object({ id: Id });", CONTRACT)).toEqual([]);
    expect(await errors("import x from 'hono';\nexport const y = x;", CONTRACT)).toContain('no-restricted-imports');
    expect(await errors("import fs from 'node:fs';\nexport const y = fs;", CONTRACT)).toContain('no-restricted-imports');
    expect(await errors("import { transition } from '@invigil/core';\nexport const y = transition;", CONTRACT)).toContain('no-restricted-imports');
  });

  it('keeps electron out of the agent', async () => {
    expect(await errors("import { z } from 'zod';\nimport os from 'node:os';\nexport const y = [z, os];", AGENT)).toEqual([]);
    expect(await errors("import { app } from 'electron';\nexport const y = app;", AGENT)).toContain('no-restricted-imports');
    expect(await errors("import type { BrowserWindow } from 'electron';\nexport type W = BrowserWindow;", AGENT)).toContain('no-restricted-imports');
    expect(await errors("export const y = await import('electron');", AGENT)).toContain('no-restricted-syntax');
  });

  it('does not apply core rules elsewhere', async () => {
    expect(await errors("import fs from 'node:fs';\nexport const x = [fs, Date.now(), Math.random()];", 'apps/server/src/x.ts')).toEqual([]);
  });

  describe('server: routes → services → ports; adapters only from the composition root', () => {
    const SERVICE = 'apps/server/src/exam-sessions/heartbeat-service.ts';
    const ROUTES = 'apps/server/src/exam-sessions/routes.ts';
    const adapterImport = "import { SqliteDatabase } from '../adapters/sqlite/sqlite-database.ts';\nexport const x = SqliteDatabase;";

    it('refuses an adapter in a service, in a route file, in http/ and in ports/', async () => {
      expect(await errors(adapterImport, SERVICE)).toContain('no-restricted-imports');
      expect(await errors("import { MemoryPresence } from '../adapters/memory/presence.ts';\nexport const x = MemoryPresence;", 'apps/server/src/proctoring/room-service.ts')).toContain('no-restricted-imports');
      expect(await errors(adapterImport, ROUTES)).toContain('no-restricted-imports');
      expect(await errors(adapterImport, 'apps/server/src/http/body.ts')).toContain('no-restricted-imports');
      expect(await errors(adapterImport, 'apps/server/src/ports/database.ts')).toContain('no-restricted-imports');
    });

    it('refuses HTTP in a service (domain errors only), and a route file in a service', async () => {
      expect(await errors("import { HttpError } from '../http/errors.ts';\nexport const x = HttpError;", SERVICE)).toContain('no-restricted-imports');
      expect(await errors("import type { Context } from 'hono';\nexport type C = Context;", 'apps/server/src/admin/staff-service.ts')).toContain('no-restricted-imports');
      expect(await errors("import { examSessionRoutes } from './routes.ts';\nexport const x = examSessionRoutes;", SERVICE)).toContain('no-restricted-imports');
    });

    it('keeps ports free of features and adapters free of features and http/', async () => {
      expect(await errors("import { Sweeper } from '../exam-sessions/sweeper.ts';\nexport const x = Sweeper;", 'apps/server/src/ports/presence.ts')).toContain('no-restricted-imports');
      expect(await errors("import { notFound } from '../../../exam-sessions/session-reader.ts';\nexport const x = notFound;", 'apps/server/src/adapters/sqlite/repositories/answers.ts')).toContain('no-restricted-imports');
      expect(await errors("import { HttpError } from '../../http/errors.ts';\nexport const x = HttpError;", 'apps/server/src/adapters/memory/presence.ts')).toContain('no-restricted-imports');
    });

    it('lets services use ports, routes use http/ and services, and the composition root build adapters', async () => {
      expect(await errors("import { notFound } from '../ports/errors.ts';\nimport type { Database } from '../ports/database.ts';\nexport const x = notFound; export type D = Database;", SERVICE)).toEqual([]);
      expect(await errors("import type { RouteRegistry } from '../http/route-registry.ts';\nimport type { StartService } from './start-service.ts';\nexport type X = [RouteRegistry, StartService];", ROUTES)).toEqual([]);
      expect(await errors("import { SqliteDatabase } from './adapters/sqlite/sqlite-database.ts';\nexport const x = SqliteDatabase;", 'apps/server/src/composition.ts')).toEqual([]);
      // Tests may open a database to look at it.
      expect(await errors(adapterImport, 'apps/server/src/exam-sessions/clock.test.ts')).toEqual([]);
    });
  });
});

