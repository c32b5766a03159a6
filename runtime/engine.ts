// The engine: one Invocation in, a stream of RunEvents out, ending in exactly one `done`.
// Pure: processes, files and PATH come in through EngineDeps (runtime/node provides them).
import {
  ClinvkError,
  type BackendInfo,
  type Invocation,
  type Logger,
  type RunError,
  type RunEvent,
  type RunResult,
  type Session,
  type SessionStore,
  type Spawner,
} from './contract.ts';
import type { Config } from './config.ts';
import { BACKENDS } from './backends/registry.ts';
import type { BackendAdapter, BackendEvent } from './backends/types.ts';
import { makePlan, publicPlan, utf8Bytes, type PlanInternal, type RunPlan } from './engine-plan.ts';
import { finalUpdate, markSessionFailed, openSession } from './engine-session.ts';
import { exitCodeOf, lastLines, pickFatal, runError, usageAccumulator, type ExitEvent } from './engine-result.ts';
import { listBackends } from './engine-backends.ts';
import { coldSource, warmSource, type SourceItem } from './engine-source.ts';
import { mergeBridge, type BridgeItem } from './tool-bridge.ts';
import type { SpareSpec, WarmPort } from './warm-port.ts';
import { warmTakes } from './backends/warm.ts';
import type { WorkdirPolicy } from './workdir.ts';
import type { AttachmentIO } from './attachments-stage.ts';
import { outputChecker, structuredRun } from './structured/run.ts';
import { schemaFileFor, type TempFiles } from './structured/schema-file.ts';
import { clientToolHomeFor } from './client-tool-file.ts';
import { openClientTools, type ToolBridgePort } from './engine-tools.ts';

export type { RunPlan } from './engine-plan.ts';

export interface EngineDeps {
  config: Config;
  spawner: Spawner;
  sessions?: SessionStore;
  /** PATH lookup (the Node side caches it ~30 s). */
  which(command: string): Promise<string | undefined>;
  /** For workdir resolution (symlinks). */
  realpath(path: string): Promise<string>;
  /** Whether a workdir is a directory; absent = not checked. */
  isDirectory?(path: string): Promise<boolean>;
  /** `<binary> <versionArgs>` → version line, for backends(). */
  version?(binary: string, args: string[]): Promise<string | undefined>;
  /** Base env for children (already cleaned). */
  env: Record<string, string | undefined>;
  /** Default workdir. */
  cwd: string;
  /** Set by the server; absent for the CLI. */
  workdirPolicy?: WorkdirPolicy;
  /** Default: the registry's BACKENDS. */
  adapters?: Record<string, BackendAdapter>;
  /** Live agents (long-lived servers): a turn of a backend with a warm mode runs on one. Absent = always cold. */
  warm?: WarmPort;
  /** Reads, fetches and writes attachments (runtime/node/attachments-io.ts); absent = attachments refused. */
  attachments?: AttachmentIO;
  /** Serves a caller's own tools to the agent (Invocation.clientTools). Absent = such runs are refused. */
  toolBridge?: ToolBridgePort;
  log?: Logger;
  now?: () => number;
  /** Private temp files (codex --output-schema FILE); absent = a backend that needs one cannot take a schema. */
  tempFiles?: TempFiles;
}

export interface Engine {
  run(inv: Invocation, signal?: AbortSignal): AsyncIterable<RunEvent>;
  backends(): Promise<BackendInfo[]>;
  /** Everything a run would do, without starting it (used for --dry-run). */
  plan(inv: Invocation): Promise<RunPlan>;
  /** What a spare live agent of `backend` starts with: a default request's start (server workdir, config defaults). */
  spareSpec(backend: string): Promise<SpareSpec | undefined>;
}

/** Bounded tail of stderr kept for parsers and error messages. */
const STDERR_KEEP = 64 * 1024;

/** The last STDERR_KEEP characters, from a line start: a line cut in half would read as the error message. */
function keepTail(text: string): string {
  if (text.length <= STDERR_KEEP) return text;
  const cut = text.slice(-STDERR_KEEP);
  const nl = cut.indexOf('\n');
  return nl >= 0 ? cut.slice(nl + 1) : cut;
}

const compact = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function createEngine(deps: EngineDeps): Engine {
  const adapters = deps.adapters ?? BACKENDS;
  const now = deps.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const planDeps = { ...deps, adapters };
  const sessionDeps = compact({ config: deps.config, iso, log: deps.log });
  const makeRunPlan = (inv: Invocation, tools?: Parameters<typeof makePlan>[2]) => makePlan(inv, planDeps, tools);

  return {
    // With an output schema, the answer is checked (and repaired once) around the plain run.
    run: (inv, signal) =>
      inv.outputSchema !== undefined
        ? structuredRun(inv, signal, run, (id, message) => (deps.sessions ? markSessionFailed(deps.sessions, id, message, sessionDeps) : Promise.resolve()))
        : run(inv, signal),
    plan: async (inv) => {
      if (inv.outputSchema !== undefined) await outputChecker(inv.outputSchema); // a dry run refuses a bad schema too
      return publicPlan(await makeRunPlan({ ...inv, dryRun: true })); // a plan writes no attachment
    },
    backends: () => listBackends(deps, adapters),
    spareSpec,
  };

  async function spareSpec(backend: string): Promise<SpareSpec | undefined> {
    const plan = await makeRunPlan({ backend, prompt: 'spare' });
    const protocol = plan.adapter.warm;
    if (!protocol) return undefined;
    const { prompt: _p, promptOnStdin: _s, ...start } = plan.argvRequest; // a live agent takes every prompt on stdin
    return { backend: plan.backend, protocol, binary: plan.binary, start, env: { ...deps.env, ...plan.env } };
  }

  async function* run(inv: Invocation, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    const started = now();
    // The caller's own tools: a per-run MCP endpoint first, since the argv names its URL.
    const tools = await openClientTools(inv, deps.toolBridge);
    let plan: PlanInternal;
    try {
      plan = await makeRunPlan(tools.inv, tools.server); // invalid input throws here, before anything starts
    } catch (err) {
      await tools.bridge?.close();
      throw err;
    }
    inv = tools.inv;
    const bridge = tools.bridge;
    const base = { backend: plan.backend, output: '', usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 } };

    if (inv.dryRun) {
      await bridge?.close(); // a dry run starts nothing that could call it
      yield compact({ type: 'init' as const, backend: plan.backend, model: plan.model });
      for (const message of plan.warnings) yield { type: 'warning', message };
      const result: RunResult = compact({
        ...base,
        model: plan.model,
        exitCode: 0,
        durationMs: now() - started,
        warnings: [...plan.warnings],
        command: { binary: plan.binary, args: [...plan.args], cwd: plan.cwd, ...(plan.stdin !== undefined ? { stdinBytes: utf8Bytes(plan.stdin) } : {}) },
      });
      yield { type: 'done', result };
      return;
    }

    let schemaFile: Awaited<ReturnType<typeof schemaFileFor>>;
    let toolFile: Awaited<ReturnType<typeof clientToolHomeFor>>;
    try {
      schemaFile = await schemaFileFor(plan, deps.tempFiles); // codex --output-schema FILE; removed below
      toolFile = await clientToolHomeFor(plan, deps.tempFiles, deps.env, schemaFile); // gemini's per-run home; removed below
      if (toolFile) plan.warnings.push(...toolFile.warnings);
    } catch (err) {
      // Nothing has started: what was set up for the run goes with it.
      await schemaFile?.remove();
      await toolFile?.remove();
      await bridge?.close();
      await plan.staged?.remove().catch(() => undefined);
      throw err;
    }
    const store = plan.ephemeral ? undefined : deps.sessions;
    let session: Session | undefined;
    let log = deps.log?.child({ backend: plan.backend });

    // State of the run, filled as events arrive.
    const queue: RunEvent[] = [];
    const pendingWarnings = [...plan.warnings];
    const allWarnings = [...pendingWarnings];
    let initSent = false;
    let backendSessionId = plan.resume?.backendSessionId;
    let model = plan.model;
    let output = '';
    let sawText = false;
    /** Something of the answer reached the caller: a failed warm turn can no longer be re-run cold. */
    let streamed = false;
    let stderr = '';
    let fatal: Extract<BackendEvent, { kind: 'error' }> | undefined;
    let exit: ExitEvent | undefined;
    let internal: RunError | undefined;
    const usage = usageAccumulator();

    const ensureInit = () => {
      if (initSent) return;
      initSent = true;
      queue.push(compact({ type: 'init' as const, backend: plan.backend, sessionId: session?.id, backendSessionId, model }));
      for (const message of pendingWarnings.splice(0)) queue.push({ type: 'warning', message });
    };
    const warn = (message: string) => {
      ensureInit();
      allWarnings.push(message);
      queue.push({ type: 'warning', message });
    };
    const HANDLERS: { [K in BackendEvent['kind']]: (e: Extract<BackendEvent, { kind: K }>) => void } = {
      session: (e) => {
        backendSessionId = e.id;
        if (e.model) model = e.model;
        ensureInit();
      },
      text: (e) => {
        ensureInit();
        sawText = true;
        streamed = true;
        output += e.text;
        queue.push({ type: 'text', text: e.text });
      },
      final: (e) => {
        // A structured answer (claude's StructuredOutput tool) is the answer, whatever text came around the call.
        if (e.structured && sawText) output = e.text;
        if (sawText || e.text === '') return;
        ensureInit();
        sawText = true;
        streamed = true;
        output = e.text;
        queue.push({ type: 'text', text: e.text });
      },
      tool_use: (e) => {
        ensureInit();
        streamed = true;
        queue.push(compact({ type: 'tool_use' as const, id: e.id, name: e.name, input: e.input }));
      },
      tool_result: (e) => {
        ensureInit();
        streamed = true;
        queue.push(compact({ type: 'tool_result' as const, id: e.id, name: e.name, output: e.output, isError: e.isError }));
      },
      usage: (e) => usage.add(e),
      error: (e) => (e.fatal ? (fatal = pickFatal(fatal, e)) : warn(e.message)),
      warning: (e) => warn(e.message),
    };
    const handle = (events: BackendEvent[]) => {
      for (const e of events) (HANDLERS[e.kind] as ((ev: BackendEvent) => void) | undefined)?.(e);
    };

    // Our own controller: aborted by the caller's signal, or by us when the consumer stops early.
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    if (signal?.aborted) ac.abort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    let finished = false;
    try {
      // A run with client tools keeps its own process: the bridge's URL is fixed in its argv. A turn with
      // attachments a live agent cannot take (warm.ts `attachments`) runs cold.
      const useWarm = !bridge && (plan.staged === undefined || warmTakes(plan.adapter.warm!, plan.staged.files)) && deps.warm !== undefined && store !== undefined && plan.adapter.warm !== undefined && deps.warm.accepts(plan.backend);
      const cold = () => coldSource(plan, deps.spawner, deps.env, () => stderr, ac.signal);
      let source: AsyncGenerator<SourceItem | BridgeItem> = useWarm ? warmSource(plan, deps.warm!, deps.env, () => session?.id, ac.signal) : cold();
      if (bridge) source = mergeBridge(source, bridge);
      log?.debug({ command: plan.binary, args: plan.args, cwd: plan.cwd, warm: useWarm }, 'starting backend');
      let drained = false;
      try {
        let next = source.next(); // starts the process (or asks the pool for a live agent)
        next.catch(() => {}); // a spawner that throws while the session opens is handled below, not unhandled
        // The session is written while the backend starts: the write (lock, fsync, index) takes a few ms
        // to tens of ms, a backend far longer to print its first line. Its events wait in the spawner's
        // queue until the session is open, so `init` still carries the session id.
        if (store) {
          const warnings: string[] = [];
          session = await openSession(store, inv, plan, warnings, sessionDeps);
          pendingWarnings.push(...warnings);
          allWarnings.push(...warnings);
          if (session) log = deps.log?.child({ backend: plan.backend, session: session.id });
        }
        for (let r = await next; !r.done; r = await next) {
          const item = r.value;
          if (item.type === 'events') handle(item.events);
          else if (item.type === 'stderr') stderr = keepTail(stderr + item.chunk);
          else if (item.type === 'stderr_all') stderr = keepTail(item.text);
          else if (item.type === 'exit') exit = item.exit;
          else if (item.type === 'client_tool_call') {
            ensureInit();
            streamed = true;
            queue.push({ type: 'client_tool_call', id: item.id, name: item.name, input: item.input, timeoutMs: bridge!.timeoutMs });
          } else if (item.type === 'client_tool_timeout') {
            // The agent got an MCP error already; the caller is gone, so the run ends here.
            internal ??= { code: 'TIMEOUT', message: `the client sent no result for its tool "${item.name}" within ${Math.round(bridge!.timeoutMs / 1000)} s (server.tool_result_timeout_secs); the run was stopped` };
            ac.abort();
          } else if (item.type === 'agent') log?.debug({ pid: item.pid, reused: item.reused }, 'warm agent serves the turn');
          else if (item.type === 'fallback') {
            if (!streamed && !ac.signal.aborted) {
              // Nothing reached the caller yet: the same turn runs cold, as if there were no pool.
              if (!item.quiet) warn(`the live ${plan.backend} process failed (${item.message}); ran the turn cold instead${plan.resume ? ', resuming the session' : ''}`);
              log?.info({ reason: item.message }, 'warm turn falls back to a cold run');
              stderr = '';
              source = cold();
            } else {
              fatal = pickFatal(fatal, { kind: 'error', message: `the live ${plan.backend} process failed mid-turn: ${item.message}`, fatal: true });
              exit = { type: 'exit', code: null, signal: null };
            }
          }
          if (queue.length > 0) yield* queue.splice(0);
          next = source.next();
        }
        drained = true;
      } catch (err) {
        log?.error({ err }, 'run failed unexpectedly');
        internal = { code: 'INTERNAL', message: `internal error while running ${plan.backend}`, detail: (err as Error)?.message ?? String(err) };
      } finally {
        // The consumer stopped early (return() at a yield, when no next() is pending): close the
        // source, whose own cleanup kills the process tree (or stops the live agent's turn), as for-await would.
        if (!drained) await source.return(undefined);
      }
      if (!exit && !internal) internal = { code: 'INTERNAL', message: `the process runner ended without an exit for ${plan.backend}` };

      const error = internal ?? (exit ? runError(exit, fatal, { backend: plan.backend, adapter: plan.adapter, binary: plan.binary, stderr, ...timeouts(plan) }) : undefined);
      const settled = usage.settle(plan.session ? { usage: plan.session.tokenUsage, costUsd: plan.session.costUsd } : undefined);
      const result: RunResult = compact({
        ...base,
        sessionId: session?.id,
        backendSessionId,
        model,
        output,
        exitCode: exitCodeOf(error, exit),
        durationMs: 0,
        usage: settled.usage,
        costUsd: settled.costUsd,
        warnings: allWarnings,
        error: error ? compact(error) : undefined,
        stderrTail: error && stderr ? lastLines(stderr, 20) || undefined : undefined,
      });
      if (session && store) {
        const w = await finalUpdate(store, session.id, result, settled, sessionDeps);
        if (w) warn(w);
      }
      finished = true;
      result.durationMs = now() - started;
      ensureInit();
      yield* queue.splice(0);
      log?.debug({ exitCode: result.exitCode, error: result.error?.code, durationMs: result.durationMs }, 'run finished');
      if (result.error?.detail) log?.warn({ code: result.error.code, detail: result.error.detail }, 'run failed');
      yield { type: 'done', result };
    } finally {
      await bridge?.close();
      signal?.removeEventListener('abort', onAbort);
      // The run's private attachment folder goes whatever happened (success, failure, cancel, disconnect).
      await plan.staged?.remove().catch((err: unknown) => log?.warn({ err }, 'could not remove the attachment folder'));
      await schemaFile?.remove();
      await toolFile?.remove();
      if (!finished) {
        // The consumer stopped iterating (return()) or something threw: kill the process, record the end.
        ac.abort();
        if (session && store) {
          const cancelled: RunResult = compact({
            ...base, sessionId: session.id, backendSessionId, model, output, exitCode: 0, durationMs: now() - started, warnings: [],
            error: { code: 'CANCELLED' as const, message: 'the run was cancelled' },
          });
          await finalUpdate(store, session.id, cancelled, usage.settle(undefined), { ...sessionDeps, keepUsage: true });
        }
      }
    }
  }
}

const timeouts = (p: PlanInternal) => compact({ timeoutMs: p.timeoutMs, idleTimeoutMs: p.idleTimeoutMs });

/** Drains a run to its result; `onEvent` sees every event on the way (for streaming renderers). */
export async function collect(events: AsyncIterable<RunEvent>, onEvent?: (e: RunEvent) => void): Promise<RunResult> {
  let result: RunResult | undefined;
  for await (const e of events) {
    onEvent?.(e);
    if (e.type === 'done') result = e.result;
  }
  if (!result) throw new ClinvkError('INTERNAL', 'the run ended without a result');
  return result;
}
