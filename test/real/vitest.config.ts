// The real-CLI suite (`npm run test:real`): the real claude / codex / gemini against loopback model mocks.
// Kept apart from vitest.config.ts, whose suite must never need the real CLIs.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    include: ['test/real/**/*.test.ts'],
    // Each test starts real agent CLIs (a Node start-up of a second or more each); two cores here.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    server: { deps: { inline: ['clipanion'] } },
  },
});
