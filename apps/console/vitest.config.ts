import { defineConfig } from 'vitest/config';

// Browser tests: build the console once (globalSetup), then drive Debian's Chromium against the real server.
export default defineConfig({
  test: {
    name: '@invigil/console',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    passWithNoTests: true,
  },
});
