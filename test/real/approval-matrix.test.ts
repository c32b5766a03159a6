// The approval/sandbox matrix, re-measured: a representative part of test/real/approval-matrix.json
// (written by `npm run approval-matrix`) is run again on the real CLIs, and any cell whose outcome
// differs from the committed one fails the test. The part: every approval × action with the default
// sandbox, plus claude's and codex's `none` under the sandboxes they map differently; gemini only for
// the cells that tell its modes apart (each gemini run takes 10–30 s here), and never its container
// sandbox, whose outcome depends on whether this machine runs docker (sandbox-preflight.test.ts covers it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cellKey, measureAll, type Cell } from './approval/measure.ts';
import { MATRIX_FILE, type MatrixFile } from './approval/render.ts';
import { ensureBuilt, skipUnless, startMocks, stopMocks } from './harness.ts';

const committed = JSON.parse(readFileSync(MATRIX_FILE, 'utf8')) as MatrixFile;

const GEMINI_CELLS = new Set(['none/default/command', 'none/default/write-workdir', 'none/default/write-outside', 'auto/default/command', 'auto/default/write-workdir', 'always/default/write-workdir']);

function representative(c: Cell): boolean {
  if (c.backend === 'gemini') return GEMINI_CELLS.has(`${c.approval}/${c.sandbox}/${c.action}`);
  if (c.sandbox === 'default') return true;
  return c.approval === 'none' && (c.backend === 'claude' ? c.sandbox !== 'full' : c.sandbox !== 'read-only');
}

describe.skipIf(skipUnless('claude', 'codex', 'gemini'))('approval and sandbox modes on the real CLIs', () => {
  it('do what test/real/approval-matrix.json says', { timeout: 300_000 }, async () => {
    ensureBuilt();
    const cells = committed.cells.filter(representative);
    expect(cells.length).toBeGreaterThan(30);
    const mocks = await startMocks();
    try {
      const measured = await measureAll(mocks, cells.map(({ backend, approval, sandbox, action }) => ({ backend, approval, sandbox, action })), 3);
      const differs = measured
        .filter((now, i) => now.outcome !== cells[i]!.outcome)
        .map((now) => `${cellKey(now)}: committed ${cells[measured.indexOf(now)]!.outcome}, now ${now.outcome} (${now.detail})`);
      expect(differs, 'rerun `npm run approval-matrix` if the change is intended').toEqual([]);
    } finally {
      await stopMocks(mocks);
    }
  });
});
