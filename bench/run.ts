// `npm run bench`: every benchmark module's rows in one table (measured in one run, so ratios hold
// on a noisy machine), also written to bench/results.json. Pass module names to run only those.
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { Row } from './measure.ts';

const MODULES: Record<string, () => Promise<{ rows(): Promise<Row[]> }>> = {
  'cli-overhead': () => import('./cli-overhead.ts'),
  sessions: () => import('./sessions.ts'),
  parallel: () => import('./parallel.ts'),
  server: () => import('./server.ts'),
  streams: () => import('./streams.ts'),
  warm: () => import('./warm.ts'),
};

const only = process.argv.slice(2);
const results: (Row & { group: string })[] = [];
for (const [group, load] of Object.entries(MODULES)) {
  if (only.length && !only.includes(group)) continue;
  process.stderr.write(`bench: ${group}…\n`);
  try {
    for (const r of await (await load()).rows()) results.push({ group, ...r });
  } catch (err) {
    results.push({ group, name: `${group} failed: ${(err as Error).message}`, value: NaN, unit: '', ok: false });
  }
}

const cells = results.map((r) => [r.group, r.name, Number.isNaN(r.value) ? '-' : String(r.value), r.unit, r.limit ?? '', r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED']);
const header = ['GROUP', 'FIGURE', 'VALUE', 'UNIT', 'TARGET', ''];
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) => c.map((x, i) => (i === 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
process.stdout.write(`${[line(header), ...cells.map(line)].join('\n')}\n`);
const machine = { node: process.version, cpus: availableParallelism(), cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), date: new Date().toISOString() };
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ machine, results }, null, 2));
process.stdout.write(`\n(${machine.date}, Node ${machine.node}, ${machine.cpus} cores; written to bench/results.json)\n`);
