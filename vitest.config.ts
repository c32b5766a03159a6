import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The machine has two cores; process-heavy suites are slower when squeezed together.
    maxWorkers: 2,
  },
});
