#!/usr/bin/env node
// Runs every check in order: lint, typecheck, vitest. Prints one summary line per check (and how
// many tests were skipped), then, as the very last line of output, exactly "N passed, N failed".
// N counts vitest tests; a failed lint or typecheck adds 1 to "failed" each. Exits non-zero if
// anything failed, including vitest not producing its JSON report.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = path.join(root, 'test-output', 'vitest.json');

/** pnpm itself when we run under it (`pnpm test`), otherwise bootstrapped through npx. */
const PNPM = /pnpm/.test(process.env.npm_execpath ?? '')
  ? [process.execPath, process.env.npm_execpath]
  : ['npx', '--yes', 'pnpm@10.34.8'];

function run(title, argv) {
  console.log(`\n==> ${title}: ${argv.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: 'inherit' });
    child.on('error', (err) => {
      console.error(`${title}: could not start: ${err.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Counts from vitest's JSON report; null when there is no readable report. */
async function vitestCounts() {
  let report;
  try {
    report = JSON.parse(await readFile(REPORT, 'utf8'));
  } catch {
    return null;
  }
  if (typeof report?.numTotalTests !== 'number') return null;
  const files = Array.isArray(report.testResults) ? report.testResults : [];
  // A file that failed without a failing test (it did not load, a hook threw...) is a failure too.
  const brokenFiles = files.filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    brokenFiles,
  };
}

const lines = [];
let passed = 0;
let failed = 0;
let skipped = 0;

const lint = await run('lint', [...PNPM, 'run', 'lint']);
lines.push(`lint       ${lint === 0 ? 'ok' : `FAILED (exit ${lint})`}`);
if (lint !== 0) failed += 1;

const typecheck = await run('typecheck', [...PNPM, '-r', '--no-bail', 'typecheck']);
lines.push(`typecheck  ${typecheck === 0 ? 'ok' : `FAILED (exit ${typecheck})`}`);
if (typecheck !== 0) failed += 1;

await mkdir(path.dirname(REPORT), { recursive: true });
await rm(REPORT, { force: true });
const vitest = await run('vitest', [
  ...PNPM,
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${path.relative(root, REPORT)}`,
]);
const counts = await vitestCounts();
if (!counts) {
  failed += 1;
  lines.push(`vitest     FAILED (exit ${vitest}, no JSON report at ${path.relative(root, REPORT)})`);
} else {
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
  let line = `vitest     ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
  if (counts.brokenFiles > 0) line += ` (${counts.brokenFiles} test file(s) failed outside any test)`;
  if (vitest !== 0 && counts.failed === 0) {
    // e.g. an unhandled error between tests: vitest failed although every test passed.
    failed += 1;
    line += ` — but vitest exited ${vitest} (unhandled error?)`;
  }
  lines.push(line);
}

console.log('\n==> summary');
for (const line of lines) console.log(line);
if (skipped > 0) console.log(`skipped    ${skipped} (each says why in the output above)`);
// The very last line, exactly "N passed, N failed" (CI and people read it).
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
