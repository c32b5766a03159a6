// The fake CLIs' environment knobs used by server-live.test.ts (test/fixtures/fake-clis/lib/common.mjs).
export const FAKE_KNOBS = {
  slowMs: 600,
  /** Four text deltas, 150 ms apart. */
  slow: { FAKE_CHUNK_DELAY_MS: '150', FAKE_CHUNKS: '4' } as Record<string, string>,
  /** The fake starts a long-lived child (writing its pid to `pidFile`), logs its own pid, then hangs. */
  spawnChild: (pidFile: string, logFile: string): Record<string, string> => ({ FAKE_SPAWN_CHILD: pidFile, FAKE_LOG: logFile, FAKE_HANG: '1' }),
};
