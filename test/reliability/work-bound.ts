// Time limits for the heavy reliability tests, derived from the work each does (units × a per-unit
// allowance + a fixed start cost) instead of a wall-clock guess: a test that does twice the work gets
// twice the time, and the figures are printed next to what the run really took, so a slow run is
// visible long before it turns into a timeout. These tests check correctness, not speed (speed is
// `npm run bench`).
//
// The allowances hold on this project's two-core machine while a Node start (`node -e 0`) takes up
// to 150 ms (66 ms when quiet). A machine busier than that stretches every bound in proportion: the
// factor is measured when the file loads (median of three starts) and printed with each bound.
// CLINVK_TEST_SLOWDOWN=<factor> sets it instead.
import { spawnSync } from 'node:child_process';

export interface WorkBound {
  /** The test timeout to give vitest, in ms. */
  ms: number;
  /** One line: the work, the bound and how it was derived, and (given) what the run took. */
  describe(elapsedMs?: number): string;
  /** Prints `describe(elapsedMs)` (vitest shows it under the test). */
  report(elapsedMs: number): void;
}

/** A Node start that the allowances below still cover, in ms. */
const COVERED_NODE_START_MS = 150;

const SLOWDOWN: { factor: number; why: string } = (() => {
  const set = Number(process.env.CLINVK_TEST_SLOWDOWN);
  if (Number.isFinite(set) && set >= 1) return { factor: set, why: 'CLINVK_TEST_SLOWDOWN' };
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    starts.push(performance.now() - t0);
  }
  const median = starts.sort((a, b) => a - b)[1]!;
  return { factor: Math.max(1, median / COVERED_NODE_START_MS), why: `node -e 0 took ${Math.round(median)} ms` };
})();

/**
 * `units` pieces of work (requests, cases, rounds …, named by `unit`), each allowed `perUnitMs`,
 * plus `fixedMs` for starting servers and settling.
 */
export function workBound(label: string, work: { units: number; unit: string; perUnitMs: number; fixedMs: number }): WorkBound {
  const ms = Math.ceil((work.units * work.perUnitMs + work.fixedMs) * SLOWDOWN.factor);
  const secs = (n: number) => `${(n / 1000).toFixed(1)} s`;
  const stretch = SLOWDOWN.factor > 1 ? `) × ${SLOWDOWN.factor.toFixed(1)} (${SLOWDOWN.why}` : '';
  const derivation = `(${work.units} ${work.unit} × ${work.perUnitMs} ms + ${secs(work.fixedMs)}${stretch}) = ${secs(ms)}`;
  const describe = (elapsedMs?: number) =>
    elapsedMs === undefined
      ? `${label}: bound ${derivation}`
      : `${label}: took ${secs(elapsedMs)} (${Math.round(elapsedMs / work.units)} ms per ${singular(work.unit)}), ` +
        `${Math.round((elapsedMs / ms) * 100)}% of its bound ${derivation}`;
  return { ms, describe, report: (elapsedMs) => console.info(describe(elapsedMs)) };
}

const singular = (unit: string) => unit.replace(/s$/, '');

/** A fixed hang guard or slack (not derived from a count of work), stretched like the bounds. */
export const stretched = (ms: number): number => Math.ceil(ms * SLOWDOWN.factor);
