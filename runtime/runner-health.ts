// Which runners are up. A runner is down when it refuses connections or fails its /health; the edge
// checks a runner at most every `intervalMs`, whoever asks. Two keepers of that state: one in memory
// (a single process, tests) and the edge's Durable Object (handlers/edge/), which calls `refreshStates`.
// Pure: no node:*.
import type { RunnerSpec } from './runner-list.ts';

export interface RunnerState {
  state: 'up' | 'down';
  /** When the state was last set (ms since the epoch), by a check or by a failed run. */
  checkedAt: number;
  /** Why it is down, in words that name no address (they reach /health, which needs no key). */
  reason?: string;
}

export interface RunnerHealth {
  /** Each runner's state by name; runners never seen are up until a check says otherwise. */
  states(): Promise<Record<string, RunnerState>>;
  /** A run could not reach the runner: down now, checked again after the interval. */
  markDown(name: string, reason: string): Promise<void>;
  /** Seconds a client should wait before trying a down runner again. */
  readonly retryAfterSeconds: number;
}

export const DEFAULT_CHECK_INTERVAL_MS = 5_000;
const PROBE_TIMEOUT_MS = 2_000;

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** GET <runner>/health (it needs no key): 200 = up; anything else, no answer or a refused connection = down. */
export async function probeRunner(url: string, doFetch: Fetch, timeoutMs = PROBE_TIMEOUT_MS): Promise<Omit<RunnerState, 'checkedAt'>> {
  const timer = new AbortController();
  const t = setTimeout(() => timer.abort(), timeoutMs);
  try {
    const res = await doFetch(`${url}/health`, { signal: timer.signal });
    await res.body?.cancel().catch(() => undefined);
    return res.status === 200 ? { state: 'up' } : { state: 'down', reason: `its /health answered ${res.status}` };
  } catch {
    return { state: 'down', reason: timer.signal.aborted ? `its /health did not answer within ${timeoutMs / 1000} s` : 'it refused the connection' };
  } finally {
    clearTimeout(t);
  }
}

/**
 * The states with every runner whose state is older than the interval checked again (in parallel).
 * Returns the new table; the caller stores it.
 */
export async function refreshStates(
  runners: readonly RunnerSpec[],
  known: Record<string, RunnerState>,
  opts: { fetch: Fetch; now: () => number; intervalMs?: number },
): Promise<Record<string, RunnerState>> {
  const interval = opts.intervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  const next: Record<string, RunnerState> = {};
  await Promise.all(
    runners.map(async (r) => {
      const cur = known[r.name];
      if (cur && opts.now() - cur.checkedAt < interval) {
        next[r.name] = cur;
        return;
      }
      // Stamped when the check began: a failure reported while it was out is newer, and wins.
      const at = opts.now();
      next[r.name] = { ...(await probeRunner(r.url, opts.fetch)), checkedAt: at };
    }),
  );
  return next;
}

/**
 * In-process keeper: no probes of its own; a runner that failed a run is down for `cooldownMs`, then
 * tried again. What `clinvk`'s remote runtime used before the Durable Object, and what unit tests use.
 */
export function memoryRunnerHealth(opts: { cooldownMs?: number; now?: () => number } = {}): RunnerHealth {
  const now = opts.now ?? Date.now;
  const cooldown = opts.cooldownMs ?? 30_000;
  const table: Record<string, RunnerState> = {};
  return {
    retryAfterSeconds: Math.ceil(cooldown / 1000),
    async states() {
      const out: Record<string, RunnerState> = {};
      for (const [name, s] of Object.entries(table)) out[name] = s.state === 'down' && now() - s.checkedAt >= cooldown ? { state: 'up', checkedAt: now() } : s;
      return out;
    },
    async markDown(name, reason) {
      table[name] = { state: 'down', checkedAt: now(), reason };
    },
  };
}
