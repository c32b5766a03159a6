import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites with their own config: the real CLIs (`npm run test:real`) and Chromium (`npm run test:browser`).
    exclude: ['**/node_modules/**', 'test/real/**', 'test/browser/**'],
    // Hang guards, not speed limits: on a busy two-core machine an end-to-end test that starts a few
    // processes one after another can take over 20 s (speed is `npm run bench`).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The machine has two cores; process-heavy suites are slower when squeezed together.
    maxWorkers: 2,
    // clipanion's ESM build imports a directory (`./platform`), which Node's ESM loader refuses;
    // letting vite load it resolves the import, so unit tests can import cli/ modules.
    server: { deps: { inline: ['clipanion'] } },
  },
});
