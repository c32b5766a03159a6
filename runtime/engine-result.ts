// How a finished process becomes a RunResult: usage accounting across resumes and the error mapping.
// Pure helpers for engine.ts.
import { exitCodeFor } from '../cli/exit-codes.ts';
import { emptyUsage, type ErrorCode, type RunError, type SpawnEvent, type TokenUsage } from './contract.ts';
import type { BackendAdapter, BackendEvent } from './backends/types.ts';

type UsageEvent = Extract<BackendEvent, { kind: 'usage' }>;
type ErrorEvent = Extract<BackendEvent, { kind: 'error' }>;
export type ExitEvent = Extract<SpawnEvent, { type: 'exit' }>;

const KEYS = ['inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens'] as const;

const add = (a: TokenUsage, b: Partial<TokenUsage>): TokenUsage =>
  Object.fromEntries(KEYS.map((k) => [k, a[k] + (b[k] ?? 0)])) as unknown as TokenUsage;
const minus = (a: TokenUsage, b: TokenUsage): TokenUsage =>
  Object.fromEntries(KEYS.map((k) => [k, Math.max(0, a[k] - b[k])])) as unknown as TokenUsage;

/** Collects the usage events of one run. */
export function usageAccumulator() {
  let run = emptyUsage();
  let thread: TokenUsage | undefined;
  let runCost: number | undefined;
  let sessionCost: number | undefined;
  return {
    add(ev: UsageEvent) {
      if (ev.scope === 'thread') thread = add(emptyUsage(), ev.usage); // a running total: the latest wins
      else run = add(run, ev.usage);
      if (ev.costUsd !== undefined) {
        if (ev.costScope === 'session') sessionCost = ev.costUsd;
        else runCost = (runCost ?? 0) + ev.costUsd;
      }
    },
    /**
     * This run's usage and the session's new totals, given the totals stored before the run.
     * Thread-scoped usage (codex) and session-scoped cost (claude) are running totals of the native
     * session: the run's share is the difference (never below 0), the new total is what was reported.
     */
    settle(prev: { usage: TokenUsage; costUsd?: number | undefined } | undefined) {
      const before = prev?.usage ?? emptyUsage();
      const runUsage = thread ? add(minus(thread, before), run) : run;
      const totalUsage = thread ? add(thread, run) : add(before, run);
      let cost: number | undefined;
      let totalCost: number | undefined;
      if (sessionCost !== undefined) {
        cost = Math.max(0, sessionCost - (prev?.costUsd ?? 0)) + (runCost ?? 0);
        totalCost = sessionCost + (runCost ?? 0);
      } else if (runCost !== undefined) {
        cost = runCost;
        totalCost = (prev?.costUsd ?? 0) + runCost;
      } else {
        totalCost = prev?.costUsd;
      }
      return { usage: runUsage, totalUsage, costUsd: cost, totalCostUsd: totalCost };
    },
  };
}

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
export const stripAnsi = (s: string): string => s.replace(ANSI, '');

/** The last `n` non-empty lines of a text, ANSI codes removed. */
export function lastLines(text: string, n: number): string {
  return stripAnsi(text)
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0)
    .slice(-n)
    .join('\n');
}

/** `1.5s`, or `10ms` below a second (a 0.01 s timeout must not read "0s"). */
const seconds = (ms: number | undefined) => ((ms ?? 0) < 1000 ? `${Math.round(ms ?? 0)}ms` : `${Number(((ms ?? 0) / 1000).toFixed(1))}s`);

export interface ErrorContext {
  backend: string;
  adapter: BackendAdapter;
  binary: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  stderr: string;
}

/** Why a run failed, or undefined when it succeeded. Our own stop reasons beat what the backend said. */
export function runError(exit: ExitEvent, fatal: ErrorEvent | undefined, ctx: ErrorContext): RunError | undefined {
  if (exit.spawnError) {
    // The resolved path and the OS's message (which repeats it) are for the machine's owner only.
    const errno = /\bE[A-Z0-9]{2,}\b/.exec(exit.spawnError)?.[0];
    return { code: 'SPAWN_FAILED', message: `could not start ${ctx.backend}${errno ? ` (${errno})` : ''}`, hint: ctx.adapter.installHint, detail: `${ctx.binary}: ${exit.spawnError}` };
  }
  if (exit.reason === 'timeout') {
    return { code: 'TIMEOUT', message: `timed out after ${seconds(ctx.timeoutMs)}`, hint: 'raise the timeout (unified_flags.command_timeout_secs or the timeout option)' };
  }
  if (exit.reason === 'idle') {
    return { code: 'IDLE_TIMEOUT', message: `no output from ${ctx.backend} for ${seconds(ctx.idleTimeoutMs)}`, hint: 'raise unified_flags.idle_timeout_secs' };
  }
  if (exit.reason === 'aborted') return { code: 'CANCELLED', message: 'the run was cancelled' };
  if (fatal) {
    const message = stripAnsi(fatal.message);
    if (fatal.category === 'auth') return { code: 'BACKEND_AUTH', message, hint: ctx.adapter.loginHint };
    if (fatal.category === 'rate_limit') {
      const e: RunError = { code: 'BACKEND_RATE_LIMITED', message };
      if (fatal.retryAfterSeconds !== undefined) e.retryAfterSeconds = fatal.retryAfterSeconds;
      return e;
    }
    return { code: 'BACKEND_FAILED', message };
  }
  if (exit.code !== 0) {
    const how = exit.code === null ? `was killed by ${exit.signal ?? 'a signal'}` : `exited with code ${exit.code}`;
    const tail = lastLines(ctx.stderr, 3);
    return { code: 'BACKEND_FAILED', message: `${ctx.backend} ${how}${tail ? `: ${tail}` : ''}` };
  }
  return undefined;
}

const BACKEND_OWN: ErrorCode[] = ['BACKEND_FAILED', 'BACKEND_AUTH', 'BACKEND_RATE_LIMITED'];

/** 0 on success; the backend's own non-zero code when it failed on its own; else clinvk's code. */
export function exitCodeOf(error: RunError | undefined, exit: ExitEvent | undefined): number {
  if (!error) return 0;
  if (BACKEND_OWN.includes(error.code) && exit?.code !== null && exit?.code !== undefined && exit.code > 0) return exit.code;
  return exitCodeFor(error.code);
}

/** Which fatal error to report when several come: the first, unless a later one is more specific. */
export function pickFatal(current: ErrorEvent | undefined, next: ErrorEvent): ErrorEvent {
  if (!current) return next;
  const specific = (e: ErrorEvent) => e.category === 'auth' || e.category === 'rate_limit';
  return !specific(current) && specific(next) ? next : current;
}
