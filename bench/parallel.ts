// 100 parallel tasks against an instant fake backend at max_parallel 8: wall time against the ideal
// (100 / 8 × one run's median), through the real orchestrator and Node runtime in-process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../runtime/engine.ts';
import { createNodeRuntime } from '../runtime/node/index.ts';
import { parallel } from '../runtime/orchestrate.ts';
import { FAKES, median, round, type Row } from './measure.ts';

export async function rows(): Promise<Row[]> {
  const home = mkdtempSync(join(tmpdir(), 'bench-parallel-'));
  try {
    const env = { ...process.env, HOME: home, CLINVK_HOME: home, PATH: `${FAKES}:${process.env.PATH}`, FAKE_CHUNK_DELAY_MS: '0', FAKE_CHUNKS: '1' };
    const rt = await createNodeRuntime({ env, cwd: home, mode: 'cli', logLevel: 'error' });
    const task = { backend: 'claude', prompt: 'bench', ephemeral: true };
    const singles: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = performance.now();
      await collect(rt.run(task));
      singles.push(performance.now() - t);
    }
    const one = median(singles);
    const t = performance.now();
    const summary = await parallel(rt, Array.from({ length: 100 }, () => task), { maxParallel: 8 });
    const wall = performance.now() - t;
    const ideal = (100 / 8) * one;
    return [
      { name: 'one run of the instant fake (median)', value: round(one), unit: 'ms' },
      { name: '100 tasks at max_parallel 8: wall time', value: round(wall), unit: 'ms' },
      { name: '100 tasks: wall / ideal (100/8 × one run)', value: round(wall / ideal), unit: '×', limit: 'the machine has 2 cores: 8 at once cannot be 8× faster' },
      { name: '100 tasks: failed', value: summary.failed, unit: 'tasks', limit: '0', ok: summary.failed === 0 },
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
