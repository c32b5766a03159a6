// Shared by the benchmarks: the row type, timing a command, medians.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Row {
  name: string;
  value: number;
  unit: string;
  /** The target, in words ("≤ 1.3 × node -e 0"). */
  limit?: string;
  ok?: boolean;
}

export const FAKES = fileURLToPath(new URL('../test/fixtures/fake-clis', import.meta.url));
export const CLINVK = fileURLToPath(new URL('../dist/clinvk.cjs', import.meta.url));

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** Wall time of one run of `cmd args`, in ms. */
export function timeRun(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'] });
    if (input !== undefined) child.stdin!.end(input);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * Medians of `n` runs of each command, interleaved (a, b, c, a, b, c, …) so that the machine's
 * noise hits every command alike and same-run ratios hold.
 */
export async function interleavedMedians(cmds: Record<string, () => Promise<number>>, n: number): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  for (const f of Object.values(cmds)) await f(); // warm-up: disk cache, JIT of the parent
  for (let i = 0; i < n; i++) for (const [k, f] of Object.entries(cmds)) samples[k]!.push(await f());
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}
