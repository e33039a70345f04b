import { defineConfig } from 'vitest/config';

// The property-based tests run a fixed number of cases (fast-check numRuns), not for a fixed time:
// how long that takes depends on what else the machine does (two full test runs side by side on
// 2 cores took them past vitest's default 5 s). The bound only catches a hang.
export default defineConfig({
  test: {
    name: '@invigil/core',
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    passWithNoTests: true,
  },
});
