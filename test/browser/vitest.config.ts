// The browser suite: the web console in Debian's Chromium against a live `clinvk serve` (the built
// CLI). Apart from `npm test` because it needs Chromium and takes a minute or two.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 40_000,
    hookTimeout: 40_000,
    maxWorkers: 1,
  },
});
