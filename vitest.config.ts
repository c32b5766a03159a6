import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-CLI suite has its own config (vitest.real.config.ts, `npm run test:real`).
    exclude: ['test/real/**', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The machine has two cores; process-heavy suites are slower when squeezed together.
    maxWorkers: 2,
    // clipanion's ESM build imports a directory (`./platform`), which Node's ESM loader refuses;
    // letting vite load it resolves the import, so unit tests can import cli/ modules.
    server: { deps: { inline: ['clipanion'] } },
  },
});
