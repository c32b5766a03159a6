// The doctor's report, kept for a short while in the long-lived processes (`clinvk serve`, `clinvk mcp`).
// A full report runs every backend's `--version` and login check: seconds (gemini alone 4–12 s), which an
// agent calling clinvk_backends before each task, or a dashboard polling GET /api/v1/doctor, would pay on
// every call. Callers arriving while a report is being made share it. Live reports (real prompts) and
// failed ones are never kept.
import type { DoctorOptions, DoctorReport } from '../contract.ts';

export interface DoctorCacheOptions {
  /** How long a report is served again; 0 = never kept. */
  ttlMs: number;
  now?: () => number;
}

export function cachedDoctor(make: (o: DoctorOptions) => Promise<DoctorReport>, opts: DoctorCacheOptions): (o?: DoctorOptions) => Promise<DoctorReport> {
  const now = opts.now ?? Date.now;
  let kept: { at: number; report: Promise<DoctorReport> } | undefined;
  return (o = {}) => {
    if (o.live === true || opts.ttlMs <= 0) return make(o);
    if (kept && now() - kept.at < opts.ttlMs) return kept.report;
    const mine = { at: now(), report: make({}) }; // not the caller's signal: others share this report
    kept = mine;
    // A failed check run is not an answer to keep: the next caller tries again.
    mine.report.catch(() => {
      if (kept === mine) kept = undefined;
    });
    return mine.report;
  };
}
