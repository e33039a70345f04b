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
        },
      },
    ],
    // A package that has no tests yet is not a failure.
    passWithNoTests: true,
    // The CI machine has 2 cores; server test files also start a server process each.
    maxWorkers: 2,
  },
});
