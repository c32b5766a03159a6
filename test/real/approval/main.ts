// `npm run approval-matrix [-- --parallel N] [-- --backends codex,claude] [-- --readme-only]`: measures
// every backend × approval × sandbox × action on the real CLIs (test/real/approval/measure.ts), writes
// test/real/approval-matrix.json and rewrites the README's table from it. --backends re-measures only
// those and keeps the committed cells of the others (gemini alone takes most of the ~10 minutes);
// --readme-only only rewrites the README from the committed JSON.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureBuilt, realClis, run, startMocks, stopMocks, CLI_NAMES, type CliName } from '../harness.ts';
import { allCells, cellKey, HOMES_ROOT, measureAll, OUTSIDE_ROOT } from './measure.ts';
import { MATRIX_FILE, normalizeDetail, renderTable, replaceRegion, type MatrixFile } from './render.ts';

const MATRIX_PATH = resolve(MATRIX_FILE);
const README = resolve('README.md');

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

function writeReadme(file: MatrixFile): void {
  writeFileSync(README, replaceRegion(readFileSync(README, 'utf8'), renderTable(file)));
  console.log(`README.md: table rewritten from ${MATRIX_PATH}`);
}

async function versionOf(cli: string): Promise<string> {
  const r = await run(cli, ['--version'], { env: { PATH: process.env.PATH ?? '', HOME: HOMES_ROOT }, cwd: process.cwd(), timeoutMs: 30_000 });
  return /\d+\.\d+\.\d+/.exec(r.stdout)?.[0] ?? 'unknown';
}

async function measure(backends: CliName[], previous: MatrixFile | undefined): Promise<MatrixFile> {
  const clis = realClis();
  const missing = CLI_NAMES.filter((n) => !clis[n]);
  if (missing.length) throw new Error(`real CLIs missing: ${missing.join(', ')} (node scripts/real-clis.mjs installs them)`);
  ensureBuilt();
  rmSync(HOMES_ROOT, { recursive: true, force: true });
  rmSync(OUTSIDE_ROOT, { recursive: true, force: true });
  const mocks = await startMocks();
  const t0 = Date.now();
  try {
    const cells = allCells(backends);
    const measured = await measureAll(mocks, cells, Number(opt('--parallel') ?? 4), (m) =>
      console.log(`${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s  ${cellKey(m).padEnd(40)} ${m.outcome}`),
    );
    const versions: Record<string, string> = { ...previous?.versions };
    for (const n of backends) versions[n] = await versionOf(clis[n]!);
    const roots = [HOMES_ROOT, OUTSIDE_ROOT];
    const fresh = measured.map((m) => ({ ...m, detail: normalizeDetail(m.detail, roots), warnings: m.warnings.map((w) => normalizeDetail(w, roots)) }));
    const kept = (previous?.cells ?? []).filter((c) => !backends.includes(c.backend));
    const order = (c: { backend: string }) => CLI_NAMES.indexOf(c.backend as CliName);
    return {
      '//': 'Written by `npm run approval-matrix` (test/real/approval/main.ts): what each real CLI did, through clinvk, when asked to run a command, write in the workdir and write outside it. The README table and test/real/approval-matrix.test.ts read it.',
      versions,
      measuredAt: new Date().toISOString(),
      // Stable order (allCells' within a backend), whichever backends were measured this time.
      cells: [...kept, ...fresh].sort((a, b) => order(a) - order(b)),
    };
  } finally {
    await stopMocks(mocks);
  }
}

if (argv.includes('--readme-only')) writeReadme(JSON.parse(readFileSync(MATRIX_PATH, 'utf8')) as MatrixFile);
else {
  const backends = (opt('--backends')?.split(',') ?? CLI_NAMES) as CliName[];
  const unknown = backends.filter((b) => !CLI_NAMES.includes(b));
  if (unknown.length) throw new Error(`unknown backend(s): ${unknown.join(', ')}`);
  const previous = backends.length < CLI_NAMES.length ? (JSON.parse(readFileSync(MATRIX_PATH, 'utf8')) as MatrixFile) : undefined;
  const file = await measure(backends, previous);
  writeFileSync(MATRIX_PATH, `${JSON.stringify(file, null, 1)}\n`);
  console.log(`${MATRIX_PATH}: ${file.cells.length} cells`);
  writeReadme(file);
}
