// Runs that outlive one tool call: MCP clients give up on a call after about a minute while agent runs
// take several, so clinvk_start returns at once and the run lives here, bounded and expiring, until
// clinvk_result collects it. The same table keeps large answers so they can be read in stable pages.
import type { Invocation, RunResult, Runtime } from '../runtime/contract.ts';
import { collect } from '../runtime/engine.ts';
import { startRun } from '../handlers/compat/start-run.ts';

export type RunState = 'running' | 'completed' | 'failed' | 'cancelled';

export interface BackgroundRun {
  id: string;
  backend: string;
  startedAt: number;
  finishedAt?: number;
  state: RunState;
  /** Text streamed so far (the whole answer once done). */
  text: string;
  result?: RunResult;
  controller: AbortController;
  done: Promise<void>;
}

export interface RunTableOptions {
  /** Runs kept at most; the oldest finished ones go first. */
  maxRuns?: number;
  /** How long a finished run (and its pages) is kept. */
  keepMs?: number;
  now?: () => number;
}

export class RunTable {
  private readonly runs = new Map<string, BackgroundRun>();
  private readonly maxRuns: number;
  private readonly keepMs: number;
  private readonly now: () => number;

  constructor(opts: RunTableOptions = {}) {
    this.maxRuns = opts.maxRuns ?? 100;
    this.keepMs = opts.keepMs ?? 60 * 60 * 1000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Starts the run and returns once it has begun (input the engine refuses throws here, so the caller
   * gets a clean error); the rest goes on in the background while text accumulates.
   */
  async start(runtime: Pick<Runtime, 'run'>, inv: Invocation): Promise<BackgroundRun> {
    this.prune();
    const controller = new AbortController();
    const events = await startRun(runtime, inv, controller.signal);
    const run: BackgroundRun = { id: `run_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`, backend: inv.backend, startedAt: this.now(), state: 'running', text: '', controller, done: Promise.resolve() };
    run.done = collect(events, (ev) => {
      if (ev.type === 'text') run.text += ev.text;
    })
      .then((result) => this.finish(run, result))
      .catch((err: unknown) => this.finish(run, undefined, err));
    this.runs.set(run.id, run);
    return run;
  }

  /** Keeps a finished result (e.g. a large synchronous answer) so its pages can be read later. */
  keep(result: RunResult): BackgroundRun {
    this.prune();
    const run: BackgroundRun = { id: `run_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`, backend: result.backend, startedAt: this.now(), state: 'running', text: result.output, controller: new AbortController(), done: Promise.resolve() };
    this.finish(run, result);
    this.runs.set(run.id, run);
    return run;
  }

  get(id: string): BackgroundRun | undefined {
    this.prune();
    return this.runs.get(id);
  }

  cancel(id: string): BackgroundRun | undefined {
    const run = this.get(id);
    if (run?.state === 'running') run.controller.abort(new Error('cancelled by clinvk_cancel'));
    return run;
  }

  private finish(run: BackgroundRun, result?: RunResult, err?: unknown): void {
    run.finishedAt = this.now();
    if (result) {
      run.result = result;
      run.text = result.output;
      run.state = result.error?.code === 'CANCELLED' ? 'cancelled' : result.error ? 'failed' : 'completed';
    } else {
      run.state = 'failed';
      run.result = { backend: run.backend, output: run.text, exitCode: 1, durationMs: this.now() - run.startedAt, usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }, warnings: [], error: { code: 'INVALID_INPUT', message: err instanceof Error ? err.message : String(err) } };
    }
  }

  /** Drops finished runs past their time, then the oldest finished ones beyond the cap. Running ones stay. */
  private prune(): void {
    const now = this.now();
    for (const [id, r] of this.runs) if (r.finishedAt !== undefined && now - r.finishedAt > this.keepMs) this.runs.delete(id);
    for (const [id, r] of this.runs) {
      if (this.runs.size < this.maxRuns) break;
      if (r.state !== 'running') this.runs.delete(id);
    }
  }
}

/** About four characters a token: the budget agents accept for one tool result, as characters. */
export const pageChars = (budgetTokens: number) => Math.max(1000, budgetTokens * 4);

/** Page `page` (1-based) of `text`; pages are fixed slices, so they stay stable while the run is kept. */
export function pageOf(text: string, page: number, size: number): { text: string; page: number; pages: number; nextPage?: number } {
  const pages = Math.max(1, Math.ceil(text.length / size));
  const p = Math.min(Math.max(1, page), pages);
  const slice = text.slice((p - 1) * size, p * size);
  return p < pages ? { text: slice, page: p, pages, nextPage: p + 1 } : { text: slice, page: p, pages };
}
