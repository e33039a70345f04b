import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: '@invigil/kiosk',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    passWithNoTests: true,
  },
});
