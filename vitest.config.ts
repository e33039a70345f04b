import { defineConfig } from 'vitest/config';

// One `vitest run` at the root runs every package and app, plus the repo's own scripts/ tests.
// A folder under packages/* or apps/* with its own vitest.config.ts uses it; one without gets defaults.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      {
        test: {
          name: 'scripts',
          root: '.',
          include: ['scripts/**/*.test.ts'],
          environment: 'node',
          // ESLint is run for real per case: slow on a busy machine; the bound only catches a hang.
          testTimeout: 60_000,
        },
      },
    ],
    // A package that has no tests yet is not a failure.
    passWithNoTests: true,
    // The CI machine has 2 cores; server test files also start a server process each.
    maxWorkers: 2,
  },
});
