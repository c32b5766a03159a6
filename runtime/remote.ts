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
import { runEventFromJson } from './wire.ts';

export interface RemoteRuntimeOptions {
  /** Runner base URLs (e.g. http://127.0.0.1:8080). Runs are spread over them. */
  runners: string[];
  /** The runners' API key, sent as a Bearer token. */
  token?: string;
  fetch?: typeof fetch;
  log: Logger;
  metrics: Metrics;
  version: string;
  /** How long a runner that failed is skipped. */
  cooldownMs?: number;
  now?: () => number;
}

/** Session ids leave this runtime as `<runner tag>-<runner's id>`, so a resume finds its runner again. */
export const runnerTag = (url: string): string => {
  let h = 2166136261;
  for (const ch of url) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
};

export function splitSessionId(id: string): { tag?: string; id: string } {
  const m = /^([0-9a-f]{8})-(.+)$/.exec(id);
  return m ? { tag: m[1]!, id: m[2]! } : { id };
}

export function createRemoteRuntime(opts: RemoteRuntimeOptions): Runtime {
  if (opts.runners.length === 0) throw new ClinvkError('CONFIG_INVALID', 'no runner configured: set RUNNER_URL to the URL of a `clinvk serve`');
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const now = opts.now ?? Date.now;
  const runners = opts.runners.map((url) => ({ url: url.replace(/\/+$/, ''), tag: runnerTag(url.replace(/\/+$/, '')), downUntil: 0 }));
  let next = 0;
  const headers = (): Record<string, string> => ({
    'content-type': 'application/json',
    ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
  });

  /** Healthy runners first, in round-robin order; a session's own runner only. */
  function candidates(tag?: string) {
    if (tag) {
      const own = runners.filter((r) => r.tag === tag);
      if (own.length) return own;
    }
    const start = next++ % runners.length;
    const ordered = [...runners.slice(start), ...runners.slice(0, start)];
    const healthy = ordered.filter((r) => r.downUntil <= now());
    return healthy.length ? healthy : ordered;
  }

  async function post(inv: Invocation, signal?: AbortSignal) {
    const session = inv.sessionId ? splitSessionId(inv.sessionId) : undefined;
    const body = JSON.stringify({ ...toWire(inv), ...(session ? { session_id: session.id } : {}), output_format: 'stream-json' });
    let lastError: unknown;
    for (const runner of candidates(session?.tag)) {
      try {
        const res = await doFetch(`${runner.url}/api/v1/prompt`, { method: 'POST', headers: headers(), body, ...(signal ? { signal } : {}) });
        if (res.status >= 500 && res.status !== 503 && res.status !== 504) throw new Error(`runner answered ${res.status}`);
        return { res, runner };
      } catch (err) {
        if (signal?.aborted) throw err;
        runner.downUntil = now() + (opts.cooldownMs ?? 30_000);
        opts.log.warn({ runner: runner.url, err: String(err) }, 'runner failed; trying the next one');
        lastError = err;
      }
    }
    // The runners' addresses are the operator's network layout: in the log, not in the answer.
    throw new ClinvkError('BACKEND_UNAVAILABLE', 'no runner could take the run', { hint: 'check that RUNNER_URL points at a running `clinvk serve`', detail: String(lastError) });
  }

  async function* run(inv: Invocation, signal?: AbortSignal): AsyncIterable<RunEvent> {
    const { res, runner } = await post(inv, signal);
    if (!res.ok || !res.body) throw await problemToError(res);
    const tagged = (id?: string) => (id ? `${runner.tag}-${id}` : undefined);
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
        : { code: 'INTERNAL' as const, message: `the connection to runner ${runner.url} ended before the run finished` };
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
          opts.log.warn({ runner: r.url, err: String(err) }, 'runner did not list its backends');
        }
      }),
    );
    return [...merged.values()];
  }

  const sessions: SessionStore = createRemoteSessions({ runners, fetch: doFetch, headers, split: splitSessionId });
  return { run, backends, sessions, log: opts.log, metrics: opts.metrics, version: opts.version };
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
    output_schema: inv.outputSchema,
    effort: inv.effort,
  };
}
