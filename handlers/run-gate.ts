// The cap on runs in flight (server.max_concurrent_runs): a semaphore with a bounded wait queue.
// Past the queue, or after waiting queue_timeout_secs, a run is refused with OVERLOADED (503 +
// Retry-After) instead of spawning agent processes without limit. Pure: no timers outside a wait.
import { ClinvkError, type Metrics, type Runtime } from '../runtime/contract.ts';

export interface RunGateOptions {
  /** Runs allowed at once (≥ 1). */
  max: number;
  /** Runs allowed to wait for a slot; more are refused at once. */
  queueMax: number;
  /** How long a run may wait for a slot; 0 = no waiting. */
  queueTimeoutMs: number;
  /** Told after every change, for the in-flight / queued gauges. */
  onChange?: (active: number, queued: number) => void;
}

export interface RunGate {
  /** Resolves to a release function (call it exactly once; later calls do nothing). */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly active: number;
  readonly queued: number;
}

const overloaded = (message: string, retryAfterSeconds: number) =>
  new ClinvkError('OVERLOADED', message, { hint: 'retry later, or raise server.max_concurrent_runs', details: { retryAfterSeconds } });

export function createRunGate(opts: RunGateOptions): RunGate {
  const max = Math.max(1, opts.max);
  let active = 0;
  const waiting: { grant: () => void }[] = [];
  const changed = () => opts.onChange?.(active, waiting.length);
  const retryAfter = () => Math.max(1, Math.ceil(opts.queueTimeoutMs / 1000 / 2));

  const releaser = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = waiting.shift();
      if (next) next.grant(); // the slot passes straight on: `active` stays the same
      else active--;
      changed();
    };
  };

  return {
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(new ClinvkError('CANCELLED', 'the request was cancelled before its run started'));
      if (active < max) {
        active++;
        changed();
        return Promise.resolve(releaser());
      }
      if (waiting.length >= opts.queueMax || opts.queueTimeoutMs <= 0) {
        return Promise.reject(overloaded(`too many runs in flight (${active} running, ${waiting.length} waiting)`, retryAfter()));
      }
      return new Promise((resolve, reject) => {
        const entry = { grant: () => settle(() => resolve(releaser())) };
        const timer = setTimeout(() => settle(() => reject(overloaded(`no run slot became free within ${opts.queueTimeoutMs / 1000}s`, retryAfter()))), opts.queueTimeoutMs);
        const onAbort = () => settle(() => reject(new ClinvkError('CANCELLED', 'the request was cancelled while waiting for a run slot')));
        function settle(fn: () => void) {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          fn();
          changed();
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(entry);
        changed();
      });
    },
  };
}

/** The runtime with every run (REST, orchestrated, OpenAI, Anthropic, MCP) passing through the gate. */
export function gatedRuntime<R extends Runtime>(runtime: R, gate: RunGate): R {
  async function* run(...args: Parameters<Runtime['run']>) {
    const release = await gate.acquire(args[1]);
    try {
      yield* runtime.run(...args);
    } finally {
      release();
    }
  }
  return Object.assign(Object.create(Object.getPrototypeOf(runtime) as object) as R, runtime, { run });
}

export const gaugeRuns = (metrics: Metrics) => (active: number, queued: number) => {
  metrics.gauge('clinvk_runs_in_flight', active);
  metrics.gauge('clinvk_runs_queued', queued);
};
