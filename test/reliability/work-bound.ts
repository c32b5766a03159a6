// Time limits for the heavy reliability tests, derived from the work each does (units × a per-unit
// allowance + a fixed start cost) instead of a wall-clock guess: a test that does twice the work gets
// twice the time, and the figures are printed next to what the run really took, so a slow run is
// visible long before it turns into a timeout. The allowances are several times what a unit costs
// on this project's busy two-core machine: these tests check correctness, not speed (speed is
// `npm run bench`). CLINVK_TEST_SLOWDOWN=<factor> stretches every bound for a slower machine.

export interface WorkBound {
  /** The test timeout to give vitest, in ms. */
  ms: number;
  /** One line: the work, the bound and how it was derived, and (given) what the run took. */
  describe(elapsedMs?: number): string;
  /** Prints `describe(elapsedMs)` (vitest shows it under the test). */
  report(elapsedMs: number): void;
}

const SLOWDOWN = (() => {
  const f = Number(process.env.CLINVK_TEST_SLOWDOWN ?? '1');
  return Number.isFinite(f) && f >= 1 ? f : 1;
})();

/**
 * `units` pieces of work (requests, cases, rounds …, named by `unit`), each allowed `perUnitMs`,
 * plus `fixedMs` for starting servers and settling.
 */
export function workBound(label: string, work: { units: number; unit: string; perUnitMs: number; fixedMs: number }): WorkBound {
  const ms = Math.ceil((work.units * work.perUnitMs + work.fixedMs) * SLOWDOWN);
  const secs = (n: number) => `${(n / 1000).toFixed(1)} s`;
  const derivation = `${work.units} ${work.unit} × ${work.perUnitMs} ms + ${secs(work.fixedMs)}${SLOWDOWN > 1 ? ` × slowdown ${SLOWDOWN}` : ''} = ${secs(ms)}`;
  const describe = (elapsedMs?: number) =>
    elapsedMs === undefined
      ? `${label}: bound ${derivation}`
      : `${label}: took ${secs(elapsedMs)} (${Math.round(elapsedMs / work.units)} ms per ${singular(work.unit)}), ` +
        `${Math.round((elapsedMs / ms) * 100)}% of its bound ${derivation}`;
  return { ms, describe, report: (elapsedMs) => console.info(describe(elapsedMs)) };
}

const singular = (unit: string) => unit.replace(/s$/, '');
