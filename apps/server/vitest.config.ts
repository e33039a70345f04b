import { defineConfig } from 'vitest/config';

// Each server test file starts its own server on port 0, so files may run in parallel.
export default defineConfig({
  test: {
    name: '@invigil/server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
  },
});
