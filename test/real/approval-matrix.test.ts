// The approval/sandbox matrix, re-measured: a representative part of test/real/approval-matrix.json
// (written by `npm run approval-matrix`) is run again on the real CLIs, and any cell whose outcome
// differs from the committed one fails the test. Mostly waiting on the CLIs, so 6 cells run at once. The part: every approval × action with the default
// sandbox on claude and codex, plus a few cells that show each sandbox mapping; gemini only for the cells
// that tell its modes apart (a gemini run takes 10–30 s here), and never its container sandbox, whose
// outcome depends on whether this machine runs docker (test/node/sandbox-preflight.test.ts covers it).
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cellKey, HOMES_ROOT, measureAll, OUTSIDE_ROOT, type Cell } from './approval/measure.ts';
import { MATRIX_FILE, type MatrixFile } from './approval/render.ts';
import { ensureBuilt, skipUnless, startMocks, stopMocks } from './harness.ts';

const committed = JSON.parse(readFileSync(MATRIX_FILE, 'utf8')) as MatrixFile;

/** Beyond every approval × action with the default sandbox (claude, codex): the cells that show each sandbox mapping. */
const EXTRA: Record<string, string[]> = {
  claude: ['none/read-only/write-workdir', 'none/workspace/write-workdir', 'none/workspace/write-outside'],
  codex: ['none/workspace/write-workdir', 'auto/full/write-outside', 'always/full/write-workdir'],
  // gemini runs are the slow ones: only the cells that tell its modes apart.
  gemini: ['none/default/command', 'none/default/write-outside', 'auto/default/command', 'auto/default/write-workdir', 'none/read-only/write-workdir'],
};

const representative = (c: Cell): boolean =>
  (c.backend !== 'gemini' && c.sandbox === 'default') || EXTRA[c.backend]!.includes(`${c.approval}/${c.sandbox}/${c.action}`);

describe.skipIf(skipUnless('claude', 'codex', 'gemini'))('approval and sandbox modes on the real CLIs', () => {
  it('do what test/real/approval-matrix.json says', { timeout: 420_000 }, async () => {
    ensureBuilt();
    // CLINVK_MATRIX_BACKENDS=claude,codex narrows it while working on one backend.
    const only = process.env.CLINVK_MATRIX_BACKENDS?.split(',');
    const cells = committed.cells.filter(representative).filter((c) => !only || only.includes(c.backend));
    if (!only) expect(cells.length).toBe(9 + 3 + 9 + 3 + 5);
    const mocks = await startMocks();
    try {
      const measured = await measureAll(mocks, cells.map(({ backend, approval, sandbox, action }) => ({ backend, approval, sandbox, action })), 6);
      const differs = measured
        .filter((now, i) => now.outcome !== cells[i]!.outcome)
        .map((now) => `${cellKey(now)}: committed ${cells[measured.indexOf(now)]!.outcome}, now ${now.outcome} (${now.detail})`);
      expect(differs, 'rerun `npm run approval-matrix` if the change is intended').toEqual([]);
    } finally {
      await stopMocks(mocks);
      for (const dir of [HOMES_ROOT, OUTSIDE_ROOT]) rmSync(dir, { recursive: true, force: true });
    }
  });
});
