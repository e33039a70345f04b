import { defineConfig } from 'vitest/config';

// The end-to-end tests start a real server (and real agent processes) on free ports.
export default defineConfig({
  test: {
    name: '@invigil/agent',
    include: ['src/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
  },
});
