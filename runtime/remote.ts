// A Runtime with no processes of its own: each run is forwarded to a Node runner (`clinvk serve`)
// over fetch, using the runner's own /api/v1/prompt NDJSON stream, so streaming works end to end.
// Used by the Worker (handlers/worker.ts); pure, runs in workerd.
import {
  ClinvkError,
  ERROR_CODES,
  type BackendInfo,
  type ErrorCode,
  type Invocation,
  type Logger,
  type Metrics,
  type RunEvent,
  type Runtime,
  type SessionStore,
} from './contract.ts';
import { createRemoteSessions } from './remote-sessions.ts';
import { memoryRunnerHealth, type RunnerHealth } from './runner-health.ts';
import { joinRunnerId, runnerTag, splitRunnerId, type RunnerSpec } from './runner-list.ts';
import { createRunnerRouter, type RunnerRouter, type RunnerStatus } from './runner-router.ts';
import { runEventFromJson } from './wire.ts';

export { runnerTag } from './runner-list.ts';

export interface RemoteRuntimeOptions {
  /** Named runners (RUNNER_URL parsed by runner-list.ts), or bare base URLs, named by their tag. */
  runners: (RunnerSpec | string)[];
  /** The runners' API key, sent as a Bearer token. */
  token?: string;
  fetch?: typeof fetch;
  log: Logger;
  metrics: Metrics;
  version: string;
  /** Who knows which runners are up; default: in memory, a runner that failed is skipped for `cooldownMs`. */
  health?: RunnerHealth;
  /** How long a runner that failed is skipped (in-memory health only). */
  cooldownMs?: number;
  now?: () => number;
}

/** A Runtime that forwards runs, plus the router and the runners' states for /health and /mcp. */
export interface RemoteRuntime extends Runtime {
  router: RunnerRouter;
  runners(): Promise<RunnerStatus[]>;
}

const asSpec = (r: RunnerSpec | string): RunnerSpec => (typeof r === 'string' ? { name: runnerTag(r.replace(/\/+$/, '')), url: r.replace(/\/+$/, '') } : r);

export function createRemoteRuntime(opts: RemoteRuntimeOptions): RemoteRuntime {
  if (opts.runners.length === 0) throw new ClinvkError('CONFIG_INVALID', 'no runner configured: set RUNNER_URL to the URL of a `clinvk serve`');
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const now = opts.now ?? Date.now;
  const runners = opts.runners.map(asSpec);
  const health = opts.health ?? memoryRunnerHealth({ ...(opts.cooldownMs !== undefined ? { cooldownMs: opts.cooldownMs } : {}), now });
  const router = createRunnerRouter(runners, health, now);
  const headers = (): Record<string, string> => ({
    'content-type': 'application/json',
    ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
  });

  async function post(inv: Invocation, signal?: AbortSignal) {
    const session = inv.sessionId ? splitRunnerId(inv.sessionId, router.names) : undefined;
    const body = JSON.stringify({ ...toWire(inv), ...(session ? { session_id: session.id } : {}), output_format: 'stream-json' });
    // A turn of a conversation goes to the runner that holds it, or nowhere: its session (and live agent) is there.
    const targets = session?.runner ? [await router.owner(session.runner)] : await router.forNew();
    let lastError: unknown;
    for (const runner of targets) {
      try {
        const res = await doFetch(`${runner.url}/api/v1/prompt`, { method: 'POST', headers: headers(), body, ...(signal ? { signal } : {}) });
        if (res.status >= 500 && res.status !== 503 && res.status !== 504 && !session?.runner) throw new Error(`runner answered ${res.status}`);
        return { res, runner };
      } catch (err) {
        if (signal?.aborted) throw err;
        const reason = err instanceof Error && /^runner answered/.test(err.message) ? err.message.replace('runner', 'it') : 'it refused the connection';
        await router.failed(runner, reason);
        opts.log.warn({ runner: runner.name, url: runner.url, err: String(err) }, 'runner failed; marked down');
        if (session?.runner) throw router.downError(runner.name, reason);
        lastError = err;
      }
    }
    // The runners' addresses are the operator's network layout: in the log, not in the answer.
    throw new ClinvkError('BACKEND_UNAVAILABLE', `no runner could take the run (tried ${targets.map((r) => `"${r.name}"`).join(', ')})`, {
      hint: 'check that RUNNER_URL points at a running `clinvk serve`',
      detail: String(lastError),
      details: { retryAfterSeconds: health.retryAfterSeconds },
    });
  }

  async function* run(inv: Invocation, signal?: AbortSignal): AsyncIterable<RunEvent> {
    const { res, runner } = await post(inv, signal);
    if (!res.ok || !res.body) throw await problemToError(res);
    const tagged = (id?: string) => (id ? joinRunnerId(runner.name, id) : undefined);
    let sawDone = false;
    for await (const line of ndjsonLines(res.body)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      const ev = runEventFromJson(parsed as Parameters<typeof runEventFromJson>[0]);
      if (!ev) continue;
      if (ev.type === 'init' && ev.sessionId) ev.sessionId = tagged(ev.sessionId)!;
      if (ev.type === 'done') {
        if (ev.result.sessionId) ev.result.sessionId = tagged(ev.result.sessionId)!;
        sawDone = true;
      }
      yield ev;
      if (sawDone) return;
    }
    if (!sawDone) {
      const error = signal?.aborted
        ? { code: 'CANCELLED' as const, message: 'the run was cancelled' }
        : { code: 'INTERNAL' as const, message: `the connection to runner "${runner.name}" ended before the run finished` };
      yield { type: 'done', result: { backend: inv.backend, output: '', exitCode: 1, durationMs: 0, usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }, warnings: [], error } };
    }
  }

  async function backends(): Promise<BackendInfo[]> {
    const merged = new Map<string, BackendInfo>();
    await Promise.all(
      runners.map(async (r) => {
        try {
          const res = await doFetch(`${r.url}/api/v1/backends`, { headers: headers() });
          const body = (await res.json()) as { backends?: { name: string; available: boolean; version?: string }[] };
          for (const b of body.backends ?? []) {
            const prev = merged.get(b.name);
            if (!prev || (!prev.available && b.available)) merged.set(b.name, { name: b.name, available: b.available, enabled: true, command: b.name, ...(b.version ? { version: b.version } : {}) });
          }
        } catch (err) {
          opts.log.warn({ runner: r.name, err: String(err) }, 'runner did not list its backends');
        }
      }),
    );
    return [...merged.values()];
  }

  const sessions: SessionStore = createRemoteSessions({ runners, fetch: doFetch, headers, split: (id) => splitRunnerId(id, router.names) });
  return { run, backends, sessions, log: opts.log, metrics: opts.metrics, version: opts.version, router, runners: () => router.status() };
}

async function problemToError(res: Response): Promise<ClinvkError> {
  const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string };
  const code: ErrorCode = ERROR_CODES.includes(body.code as ErrorCode) ? (body.code as ErrorCode) : res.status === 429 ? 'OVERLOADED' : res.status >= 500 ? 'INTERNAL' : 'INVALID_INPUT';
  return new ClinvkError(code, body.detail ?? body.title ?? `runner answered ${res.status}`);
}

async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield line;
      }
    }
    if (buf.trim()) yield buf.trim();
  } finally {
    // Stops the upstream fetch too when the consumer leaves early (client gone).
    await reader.cancel().catch(() => undefined);
  }
}

/** Invocation → the REST body fields (the inverse of handlers/schemas toInvocation). */
function toWire(inv: Invocation): Record<string, unknown> {
  return {
    backend: inv.backend,
    prompt: inv.prompt,
    model: inv.model,
    workdir: inv.workdir,
    ephemeral: inv.ephemeral,
    approval_mode: inv.approvalMode,
    sandbox_mode: inv.sandboxMode,
    max_tokens: inv.maxTokens,
    max_turns: inv.maxTurns,
    system_prompt: inv.systemPrompt,
    allowed_tools: inv.allowedTools,
    extra: inv.extra,
    timeout_secs: inv.timeoutMs === undefined ? undefined : inv.timeoutMs / 1000,
    idle_timeout_secs: inv.idleTimeoutMs === undefined ? undefined : inv.idleTimeoutMs / 1000,
    dry_run: inv.dryRun,
    metadata: inv.metadata,
    attachments: inv.attachments?.map((a) => ({ name: a.name, media_type: a.mediaType, data: a.data, path: a.path, url: a.url, kind: a.kind })),
    output_schema: inv.outputSchema,
    effort: inv.effort,
  };
}
