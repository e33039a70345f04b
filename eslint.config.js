// Flat ESLint config: typescript-eslint "recommended" (syntax only, no type information, so it
// stays fast) plus the layering rules of DESIGN.md, enforced with the core no-restricted-* rules.
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const CODE = ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'];
const TESTS = ['**/*.test.{ts,tsx,mts,cts}', '**/*.spec.{ts,tsx,mts,cts}'];

/** Escapes a string for use inside a RegExp. */
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * An import source regex that matches every specifier EXCEPT relative ones and the listed
 * packages (a package also allows its subpaths, e.g. `zod/v4`).
 */
function onlyRelativeAnd(packages) {
  const allowed = ['\\.{1,2}/', ...packages.map((p) => `${escape(p)}(?:/|$)`)];
  return `^(?!(?:${allowed.join('|')}))`;
}

/** Node builtins, bare and `node:`-prefixed: named so the message says "this is I/O". */
const NODE_BUILTINS = [...new Set(builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])))];

function importRule(allowedPackages, layer) {
  return [
    'error',
    {
      paths: NODE_BUILTINS.map((name) => ({ name, message: `${layer} must not use Node builtins (no I/O).` })),
      patterns: [
        {
          regex: onlyRelativeAnd(allowedPackages),
          message:
            allowedPackages.length === 0
              ? `${layer} may import only relative files.`
              : `${layer} may import only relative files and: ${allowedPackages.join(', ')}.`,
        },
      ],
    },
  ];
}

/** Imports no-restricted-imports cannot see: import(), require(), `import x = require()`. */
const NO_DYNAMIC_IMPORTS = [
  { selector: 'ImportExpression', message: 'No dynamic import() in this layer.' },
  { selector: "CallExpression[callee.name='require']", message: 'No require() in this layer.' },
  { selector: 'TSImportEqualsDeclaration[moduleReference.type="TSExternalModuleReference"]', message: 'No import = require() in this layer.' },
];

/** core is pure: time and randomness are passed in, nothing is scheduled. */
const CORE_IMPURE_SYNTAX = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'core never reads the clock: take `now` as a parameter.' },
  { selector: "CallExpression[callee.name='Date']", message: 'core never reads the clock: take `now` as a parameter.' },
];

const CORE_GLOBALS = [
  ['process', 'core does no I/O and reads no environment.'],
  ['setTimeout', 'core schedules nothing: the caller owns timers.'],
  ['setInterval', 'core schedules nothing: the caller owns timers.'],
  ['setImmediate', 'core schedules nothing: the caller owns timers.'],
  ['queueMicrotask', 'core schedules nothing: the caller owns timers.'],
  ['performance', 'core never reads the clock: take `now` as a parameter.'],
  ['fetch', 'core does no I/O.'],
  ['XMLHttpRequest', 'core does no I/O.'],
  ['WebSocket', 'core does no I/O.'],
  ['crypto', 'core is deterministic: pass randomness/ids in.'],
  ['require', 'core may import only relative files.'],
  ['Buffer', 'core is platform-neutral: no Node globals.'],
  ['__dirname', 'core does no I/O.'],
  ['__filename', 'core does no I/O.'],
].map(([name, message]) => ({ name, message }));

const CORE_PROPERTIES = [
  { object: 'Date', property: 'now', message: 'core never reads the clock: take `now` as a parameter.' },
  { object: 'performance', property: 'now', message: 'core never reads the clock: take `now` as a parameter.' },
  { object: 'Math', property: 'random', message: 'core is deterministic: pass randomness in.' },
  { object: 'globalThis', message: 'core does not reach into globals.' },
];

// ---- server layering (DESIGN.md "The server") ----
const SERVER = 'apps/server/src';
const SERVER_FEATURES = ['exam-sessions', 'login-sessions', 'proctoring', 'admin', 'review'];
/** The edge of a feature: its route registrations and route handlers. */
const SERVER_ROUTE_FILES = SERVER_FEATURES.flatMap((f) => [`${SERVER}/${f}/routes.ts`, `${SERVER}/${f}/*-route.ts`, `${SERVER}/${f}/*-routes.ts`]);
const NO_ADAPTER = { regex: '(^|/)adapters/', message: 'only the composition root (composition.ts) builds adapters: depend on a port (ports/) instead.' };
const NO_HTTP = { regex: '(^|/)http/|^hono(/|$)|^@hono/', message: 'services know nothing of HTTP: throw a domain error (ports/errors.ts); only route files import http/ or hono.' };
const NO_ROUTES = { regex: '(^|/)routes\\.ts$|-routes?\\.ts$', message: 'services never import route files.' };

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    '**/out/',
    '**/build/',
    '**/coverage/',
    'data/',
    '**/data/',
    'test-output/',
    '**/test-output/',
    '.tmp/',
    '.tmp-*',
    'apps/console/dist/',
    'apps/server/public/',
    'apps/server/static/',
    '**/drizzle/meta/',
  ]),

  {
    files: CODE,
    extends: [tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },

  // Tests and test helpers poke at untyped JSON answers: `any` is fine there, not in product code.
  {
    files: [...TESTS, '**/testing/**', '**/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // ---- Layering (DESIGN.md "Layers and who may import whom") ----

  // core: pure domain, no I/O, no clock, no randomness, no packages.
  {
    files: ['packages/core/src/**'],
    rules: {
      'no-restricted-imports': importRule([], 'core'),
      'no-restricted-syntax': ['error', ...NO_DYNAMIC_IMPORTS, ...CORE_IMPURE_SYNTAX],
      'no-restricted-globals': ['error', ...CORE_GLOBALS],
      'no-restricted-properties': ['error', ...CORE_PROPERTIES],
    },
  },
  // core tests may also use the test tools (and nothing else with I/O).
  {
    files: TESTS.map((t) => `packages/core/src/${t}`),
    rules: {
      'no-restricted-imports': importRule(['vitest', 'fast-check'], 'core tests'),
      'no-restricted-syntax': ['error', ...NO_DYNAMIC_IMPORTS],
      'no-restricted-globals': 'off',
      'no-restricted-properties': 'off',
    },
  },

  // contract: zod only.
  {
    files: ['packages/contract/src/**'],
    rules: {
      'no-restricted-imports': importRule(['zod'], 'contract'),
      'no-restricted-syntax': ['error', ...NO_DYNAMIC_IMPORTS],
    },
  },
  {
    files: TESTS.map((t) => `packages/contract/src/${t}`),
    rules: {
      'no-restricted-imports': importRule(['zod', 'vitest', 'fast-check'], 'contract tests'),
    },
  },

  // agent: plain Node, never Electron (Electron-specific things are passed in as interfaces).
  {
    files: ['packages/agent/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'agent never imports electron: take a small interface instead.' }],
          patterns: [{ regex: '^electron/', message: 'agent never imports electron: take a small interface instead.' }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportExpression[source.value=/^electron(\\u002F|$)/]", message: 'agent never imports electron.' },
        { selector: "CallExpression[callee.name='require'][arguments.0.value=/^electron(\\u002F|$)/]", message: 'agent never imports electron.' },
        { selector: "TSExternalModuleReference[expression.value=/^electron(\\u002F|$)/]", message: 'agent never imports electron.' },
        { selector: "TSImportType[argument.literal.value=/^electron(\\u002F|$)/]", message: 'agent never imports electron.' },
      ],
    },
  },

  // ---- server (apps/server): routes → services → ports; adapters only from the composition root ----

  // Feature services (everything in a feature folder but its route files) speak to ports only:
  // no adapter, no HTTP (they throw domain errors; the edge maps them to statuses), no routes.
  {
    files: SERVER_FEATURES.map((f) => `${SERVER}/${f}/**`),
    ignores: [...SERVER_ROUTE_FILES, ...TESTS],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_ADAPTER, NO_HTTP, NO_ROUTES] }] },
  },
  // Route files are the edge: thin handlers over services, and still no adapter.
  {
    files: SERVER_ROUTE_FILES,
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_ADAPTER] }] },
  },
  // Ports are the interfaces: they import each other, the contract and core, nothing else of ours.
  {
    files: [`${SERVER}/ports/**`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [NO_ADAPTER, NO_HTTP, { regex: '^\\.\\./', message: 'ports depend only on each other, @invigil/contract and @invigil/core.' }] },
      ],
    },
  },
  // Adapters implement ports; they never reach into features or the HTTP layer.
  {
    files: [`${SERVER}/adapters/**`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: `(^|/)(http|${SERVER_FEATURES.join('|')})/`, message: 'adapters implement ports: they never import features or http/.' }] },
      ],
    },
  },
  // The HTTP layer and the security helpers sit below the features and never name an adapter.
  {
    files: [`${SERVER}/http/**`, `${SERVER}/security/**`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [NO_ADAPTER, { regex: `(^|/)(${SERVER_FEATURES.join('|')})/`, message: 'http/ and security/ sit below the features: they never import one.' }] },
      ],
    },
  },

  // ---- kiosk (apps/kiosk): who may touch Electron ----

  // main: only main.ts (the wiring) imports Electron values; every other file gets the APIs passed
  // in (so the unit tests run under plain Node with a named fake; requiring the real package here
  // would even try to download its binary). Type imports are fine.
  {
    files: ['apps/kiosk/src/main/**'],
    ignores: ['apps/kiosk/src/main/main.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', allowTypeImports: true, message: 'only src/main/main.ts imports electron values: take the API from the lockdown context / a parameter.' }],
          patterns: [{ regex: '^electron/', allowTypeImports: true, message: 'only src/main/main.ts imports electron values.' }],
        },
      ],
    },
  },
  // preload: sandboxed, it can require only `electron` at run time; the contract and zod are bundled in.
  {
    files: ['apps/kiosk/src/preload/**'],
    ignores: TESTS.map((t) => `apps/kiosk/src/preload/${t}`),
    rules: {
      'no-restricted-imports': importRule(['electron', '@invigil/contract', 'zod'], 'the kiosk preload (sandboxed)'),
      'no-restricted-syntax': ['error', ...NO_DYNAMIC_IMPORTS],
    },
  },
  // renderer: an untrusted web page; it reaches main only through window.kiosk.
  {
    files: ['apps/kiosk/src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'the renderer talks to main only through window.kiosk.' },
            ...NODE_BUILTINS.map((name) => ({ name, message: 'the renderer is a web page: no Node builtins.' })),
          ],
          patterns: [{ regex: '^electron/', message: 'the renderer talks to main only through window.kiosk.' }],
        },
      ],
    },
  },
);
