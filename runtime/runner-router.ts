// Where a run (or an MCP session) goes: a new conversation to an up runner, round-robin; a turn of an
// existing one to the runner named in its id, or a 503 naming that runner when it is down. Shared by the
// remote runtime and the edge's /mcp forwarder. Pure.
import { ClinvkError, type RunnerStatus } from './contract.ts';
import type { RunnerHealth, RunnerState } from './runner-health.ts';
import type { RunnerSpec } from './runner-list.ts';

export type { RunnerStatus } from './contract.ts';

export interface RunnerRouter {
  readonly runners: readonly RunnerSpec[];
  readonly names: readonly string[];
  /** What a 503 for a down runner says in Retry-After. */
  readonly retryAfterSeconds: number;
  /** For something new: the up runners, round-robin; every runner when none is up (one may be back). */
  forNew(): Promise<RunnerSpec[]>;
  /** The runner a conversation lives on; throws BACKEND_UNAVAILABLE (503, Retry-After) when it is down. */
  owner(name: string): Promise<RunnerSpec>;
  /** A request to the runner failed to connect: mark it down for everyone. */
  failed(runner: RunnerSpec, reason: string): Promise<void>;
  /** The 503 for a conversation whose runner is down. */
  downError(name: string, reason?: string): ClinvkError;
  status(): Promise<RunnerStatus[]>;
}

export function createRunnerRouter(runners: readonly RunnerSpec[], health: RunnerHealth, now: () => number = Date.now): RunnerRouter {
  let next = 0;
  const isDown = (s: RunnerState | undefined) => s?.state === 'down';
  const downError = (name: string, reason?: string) =>
    new ClinvkError('BACKEND_UNAVAILABLE', `runner "${name}" is down${reason ? ` (${reason})` : ''}; this conversation lives on it, so it cannot continue elsewhere`, {
      hint: `retry in ${health.retryAfterSeconds} s, or start a new conversation`,
      details: { retryAfterSeconds: health.retryAfterSeconds, runner: name },
    });

  return {
    runners,
    names: runners.map((r) => r.name),
    retryAfterSeconds: health.retryAfterSeconds,
    async forNew() {
      const states = await health.states();
      const start = next++ % runners.length;
      const ordered = [...runners.slice(start), ...runners.slice(0, start)];
      const up = ordered.filter((r) => !isDown(states[r.name]));
      return up.length ? up : ordered;
    },
    async owner(name) {
      const runner = runners.find((r) => r.name === name);
      if (!runner) throw new ClinvkError('SESSION_NOT_FOUND', `runner "${name}" is not in RUNNER_URL any more`, { hint: 'start a new conversation' });
      const state = (await health.states())[name];
      if (isDown(state)) throw downError(name, state?.reason);
      return runner;
    },
    async failed(runner, reason) {
      await health.markDown(runner.name, reason);
    },
    downError,
    async status() {
      const states = await health.states();
      return runners.map((r) => {
        const s = states[r.name];
        return { name: r.name, state: s?.state ?? 'up', ...(s ? { checkedSecsAgo: Math.max(0, Math.round((now() - s.checkedAt) / 1000)) } : {}), ...(s?.reason ? { reason: s.reason } : {}) };
      });
    },
  };
}
