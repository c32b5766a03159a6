// parallel, compare and chain over the engine's run(): one orchestrator for every door (CLI, REST,
// MCP). Each reports progress through one callback so every door can show it live.
import { ClinvkError, emptyUsage, isClinvkError, type Invocation, type RunEvent, type RunResult, type Runtime } from './contract.ts';
import { resultToJson } from './wire.ts';

export type OrchestrationRuntime = Pick<Runtime, 'run' | 'backends'>;
export type Task = Invocation & { name?: string };

export interface TaskOutcome {
  index: number;
  name?: string;
  backend: string;
  result: RunResult;
  /** Why the task never ran (fail-fast, a stopped chain). */
  skipped?: string;
}

export type ProgressEvent =
  | { type: 'task_start'; index: number; name?: string; backend: string }
  | { type: 'task_event'; index: number; event: RunEvent }
  | { type: 'task_done'; index: number; outcome: TaskOutcome }
  | { type: 'warning'; message: string };

export interface OrchestrateOptions {
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface ParallelSummary { totalTasks: number; completed: number; failed: number; totalDurationMs: number; results: TaskOutcome[] }
export interface CompareSummary { prompt: string; backends: string[]; totalDurationMs: number; results: TaskOutcome[]; skipped: { backend: string; reason: string }[] }
export interface ChainSummary { totalSteps: number; completedSteps: number; failedStep?: number; totalDurationMs: number; results: TaskOutcome[] }

const failedResult = (backend: string, code: 'CANCELLED' | 'INVALID_INPUT' | 'INTERNAL' | NonNullable<RunResult['error']>['code'], message: string): RunResult => ({
  backend,
  output: '',
  exitCode: 1,
  durationMs: 0,
  usage: emptyUsage(),
  warnings: [],
  error: { code, message },
});

const withName = (o: Omit<TaskOutcome, 'name'>, name?: string): TaskOutcome => (name ? { ...o, name } : o);

/** One task: a normal engine run, its events forwarded as progress. Invalid input is a failed outcome, not a throw. */
async function runTask(rt: OrchestrationRuntime, task: Task, index: number, signal: AbortSignal, opts: OrchestrateOptions): Promise<TaskOutcome> {
  const { name, ...inv } = task;
  opts.onProgress?.({ type: 'task_start', index, backend: inv.backend, ...(name ? { name } : {}) });
  let result: RunResult | undefined;
  try {
    for await (const event of rt.run(inv, signal)) {
      opts.onProgress?.({ type: 'task_event', index, event });
      if (event.type === 'done') result = event.result;
    }
  } catch (err) {
    const detail = isClinvkError(err) ? err.detail : err instanceof Error ? err.message : String(err);
    result = failedResult(inv.backend, isClinvkError(err) ? err.code : 'INTERNAL', isClinvkError(err) ? err.message : 'internal error: the task failed unexpectedly');
    if (detail) result.error!.detail = detail;
  }
  const outcome = withName({ index, backend: inv.backend, result: result ?? failedResult(inv.backend, 'INTERNAL', 'the run ended without a result') }, name);
  opts.onProgress?.({ type: 'task_done', index, outcome });
  return outcome;
}

/** A child signal that follows the outer one and can also be aborted on its own. */
function linked(outer?: AbortSignal): AbortController {
  const c = new AbortController();
  if (outer?.aborted) c.abort(outer.reason);
  else outer?.addEventListener('abort', () => c.abort(outer.reason), { once: true });
  return c;
}

export async function parallel(rt: OrchestrationRuntime, tasks: Task[], opts: OrchestrateOptions & { maxParallel?: number; failFast?: boolean } = {}): Promise<ParallelSummary> {
  const started = Date.now();
  const limit = Math.max(1, opts.maxParallel ?? 3);
  const all = linked(opts.signal);
  const results: TaskOutcome[] = new Array(tasks.length);
  let next = 0;
  let stopped = false;

  async function worker() {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index]!;
      if (stopped || all.signal.aborted) {
        const why = stopped ? 'skipped: an earlier task failed (fail-fast)' : 'skipped: cancelled';
        results[index] = withName({ index, backend: task.backend, result: failedResult(task.backend, 'CANCELLED', why), skipped: why }, task.name);
        opts.onProgress?.({ type: 'task_done', index, outcome: results[index]! });
        continue;
      }
      const outcome = await runTask(rt, task, index, all.signal, opts);
      results[index] = outcome;
      if (outcome.result.error && opts.failFast && !stopped) {
        stopped = true;
        all.abort(new Error('fail-fast: a task failed'));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  const failed = results.filter((r) => r.result.error).length;
  return { totalTasks: tasks.length, completed: tasks.length - failed, failed, totalDurationMs: Date.now() - started, results };
}

export async function compare(
  rt: OrchestrationRuntime,
  base: Omit<Invocation, 'backend'>,
  backends: string[] | 'all',
  opts: OrchestrateOptions & { sequential?: boolean } = {},
): Promise<CompareSummary> {
  const started = Date.now();
  const infos = await rt.backends();
  const wanted = backends === 'all' ? infos.map((b) => b.name) : [...new Set(backends)];
  const skipped: { backend: string; reason: string }[] = [];
  const runnable = wanted.filter((name) => {
    const info = infos.find((b) => b.name === name);
    const reason = !info ? `unknown backend "${name}"` : !info.available ? (info.reason ?? `${name} is not available`) : undefined;
    if (reason) {
      skipped.push({ backend: name, reason });
      opts.onProgress?.({ type: 'warning', message: `skipping ${name}: ${reason}` });
    }
    return !reason;
  });
  const unknown = wanted.filter((name) => !infos.some((b) => b.name === name));
  if (runnable.length === 0 && unknown.length > 0 && unknown.length === wanted.length) {
    // Naming only backends that do not exist is the caller's mistake (400), not an outage (503).
    throw new ClinvkError('UNKNOWN_BACKEND', `no backend to compare: ${unknown.map((b) => `unknown backend "${b}"`).join('; ')}; known backends: ${infos.map((b) => b.name).join(', ')}`);
  }
  if (runnable.length === 0) {
    throw new ClinvkError('BACKEND_UNAVAILABLE', `no backend to compare: ${skipped.map((s) => `${s.backend} (${s.reason})`).join('; ') || 'none requested'}`, {
      hint: 'install and log in to at least one of claude, codex, gemini',
    });
  }
  const tasks = runnable.map((backend) => ({ ...base, backend }));
  const summary = await parallel(rt, tasks, { ...opts, maxParallel: opts.sequential ? 1 : tasks.length });
  return { prompt: base.prompt, backends: runnable, totalDurationMs: Date.now() - started, results: summary.results, skipped };
}

/** `{{previous}}` → the previous step's output; `{{step.NAME}}` → a named earlier step's output. */
export function fillTemplate(prompt: string, previous: string, named: Map<string, string>): string {
  return prompt.replace(/\{\{\s*(previous|step\.([^}\s]+))\s*\}\}/g, (_m, _all, name: string | undefined) => {
    if (!name) return previous;
    const out = named.get(name);
    if (out === undefined) throw new ClinvkError('INVALID_INPUT', `{{step.${name}}} refers to no earlier step named "${name}"`);
    return out;
  });
}

export async function chain(rt: OrchestrationRuntime, steps: Task[], opts: OrchestrateOptions & { stopOnFailure?: boolean; passWorkingDir?: boolean } = {}): Promise<ChainSummary> {
  const started = Date.now();
  const stopOnFailure = opts.stopOnFailure ?? true;
  const results: TaskOutcome[] = [];
  const named = new Map<string, string>();
  let previous = '';
  let workdir: string | undefined;
  let failedStep: number | undefined;
  for (const [index, step] of steps.entries()) {
    if (opts.signal?.aborted || (failedStep !== undefined && stopOnFailure)) {
      const why = opts.signal?.aborted ? 'skipped: cancelled' : `skipped: step ${failedStep! + 1} failed`;
      results.push(withName({ index, backend: step.backend, result: failedResult(step.backend, 'CANCELLED', why), skipped: why }, step.name));
      continue;
    }
    let prompt: string;
    try {
      prompt = fillTemplate(step.prompt, previous, named);
    } catch (err) {
      const outcome = withName({ index, backend: step.backend, result: failedResult(step.backend, 'INVALID_INPUT', (err as Error).message) }, step.name);
      opts.onProgress?.({ type: 'task_done', index, outcome });
      results.push(outcome);
      failedStep ??= index;
      previous = '';
      continue;
    }
    const task: Task = { ...step, prompt, ...(opts.passWorkingDir && !step.workdir && workdir ? { workdir } : {}) };
    const outcome = await runTask(rt, task, index, linked(opts.signal).signal, opts);
    results.push(outcome);
    if (outcome.result.error) {
      failedStep ??= index;
      previous = '';
    } else {
      previous = outcome.result.output;
      if (step.name) named.set(step.name, previous);
    }
    if (task.workdir) workdir = task.workdir;
  }
  const completedSteps = results.filter((r) => !r.result.error).length;
  return { totalSteps: steps.length, completedSteps, ...(failedStep !== undefined ? { failedStep } : {}), totalDurationMs: Date.now() - started, results };
}

const outcomeJson = (o: TaskOutcome) => ({ index: o.index, name: o.name, ...resultToJson(o.result), skipped: o.skipped });

export const parallelToJson = (s: ParallelSummary) => ({
  total_tasks: s.totalTasks,
  completed: s.completed,
  failed: s.failed,
  total_duration_ms: s.totalDurationMs,
  results: s.results.map(outcomeJson),
});

export const compareToJson = (s: CompareSummary) => ({
  prompt: s.prompt,
  backends: s.backends,
  total_duration_ms: s.totalDurationMs,
  results: s.results.map(outcomeJson),
  skipped: s.skipped,
});

export const chainToJson = (s: ChainSummary) => ({
  total_steps: s.totalSteps,
  completed_steps: s.completedSteps,
  failed_step: s.failedStep === undefined ? undefined : s.failedStep + 1,
  total_duration_ms: s.totalDurationMs,
  results: s.results.map((o) => ({ step: o.index + 1, ...outcomeJson(o) })),
});
