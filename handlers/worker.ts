// The Workers entry: the same createApp as `clinvk serve`, with a Runtime that has no processes of its
// own and forwards each run (and /mcp) to named Node runners (`clinvk serve`) over fetch. What must
// outlive an isolate (conversations, stored Responses, MCP sessions, runner states) lives in the
// EdgeState Durable Object. See README "On the edge".
import { configSchema, type Config } from '../runtime/config.ts';
import { ClinvkError, isClinvkError } from '../runtime/contract.ts';
import { consoleLogger, memoryMetrics } from '../runtime/edge-support.ts';
import { createRemoteRuntime } from '../runtime/remote.ts';
import { parseRunnerList, splitRunnerId } from '../runtime/runner-list.ts';
import { CLINVK_VERSION } from '../runtime/version.ts';
import { createApp } from './app.ts';
import { CONSOLE_ASSETS } from './console/assets.gen.js';
import type { DurableNamespace } from './edge/durable-types.ts';
import { createMcpForwarder, type McpRoute } from './edge/mcp-forward.ts';
import { createEdgeStateClient, isolateMemory } from './edge/state-client.ts';
import { errorResponse, surfaceOf } from './errors.ts';
import type { StoredResponse } from './openai/responses.ts';

export { EdgeState } from './edge/state-object.ts';

export interface WorkerEnv {
  /** Named runners, `a=https://…,b=https://…` (or bare URLs, the older form, named by their tag). */
  RUNNER_URL?: string;
  /** The runners' API key. */
  RUNNER_TOKEN?: string;
  /** Keys this Worker's clients must send (comma-separated); none = open. */
  CLINVK_API_KEYS?: string;
  /** Optional JSON of config overrides (e.g. {"default_backend":"codex","server":{"cors_allowed_origins":["https://app.example"]}}). */
  CLINVK_CONFIG_JSON?: string;
  LOG_LEVEL?: 'debug' | 'info' | 'warn' | 'error';
  /** The EdgeState Durable Object (wrangler.toml). Without it, state is kept per isolate (local tries only). */
  CLINVK_STATE?: DurableNamespace;
  /** Seconds between two /health checks of one runner (default 5). */
  RUNNER_CHECK_SECS?: string;
}

/** The interface the Worker's fetch needs: an app, or the 503 a misconfigured Worker answers with. */
export interface WorkerApp {
  fetch(request: Request, conn?: { remoteAddress?: string }): Promise<Response>;
}

const HOUR = 60 * 60_000;
/** As the runners' own MCP sessions: closed after 30 idle minutes. */
const MCP_IDLE_MS = 30 * 60_000;
const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export function workerConfig(env: WorkerEnv): Config {
  let overrides: unknown = {};
  if (env.CLINVK_CONFIG_JSON) {
    try {
      overrides = JSON.parse(env.CLINVK_CONFIG_JSON) as unknown;
    } catch (err) {
      throw new ClinvkError('CONFIG_INVALID', `CLINVK_CONFIG_JSON is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const parsed = configSchema.safeParse(overrides);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ClinvkError('CONFIG_INVALID', `CLINVK_CONFIG_JSON is invalid: ${issues}`);
  }
  return parsed.data;
}

export function createWorkerApp(env: WorkerEnv, fetcher?: typeof fetch): WorkerApp {
  const log = consoleLogger({ app: 'clinvk-worker' }, env.LOG_LEVEL ?? 'warn');
  const config = workerConfig(env);
  const runners = parseRunnerList(env.RUNNER_URL);
  const checkSecs = Number(env.RUNNER_CHECK_SECS);
  const state = env.CLINVK_STATE ? createEdgeStateClient(env.CLINVK_STATE, log, checkSecs > 0 ? { checkIntervalMs: checkSecs * 1000 } : {}) : undefined;
  const doFetch = fetcher ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const runtime = createRemoteRuntime({
    runners,
    ...(env.RUNNER_TOKEN ? { token: env.RUNNER_TOKEN } : {}),
    fetch: doFetch,
    ...(state ? { health: state.health() } : {}),
    log,
    metrics: memoryMetrics(),
    version: CLINVK_VERSION,
  });
  // The Durable Object when bound; else this isolate's memory (fine for one `wrangler dev`, lost between isolates).
  const remember = <V>(prefix: string, ttlMs: number) => (state ? state.memory<V>(prefix, ttlMs) : isolateMemory<V>(ttlMs));
  const responses = Object.assign(remember<StoredResponse>('resp', HOUR), {
    // resp_<runner>_<hex>: which runner answered is in the id, as in session ids.
    idFor: (sessionId: string | undefined) => {
      const runner = sessionId ? splitRunnerId(sessionId, runtime.router.names).runner : undefined;
      return `resp_${runner ? `${runner}_` : ''}${crypto.randomUUID().replace(/-/g, '')}`;
    },
  });
  const mcp = createMcpForwarder({
    router: runtime.router,
    sessions: remember<McpRoute>('mcp', MCP_IDLE_MS),
    ...(env.RUNNER_TOKEN ? { token: env.RUNNER_TOKEN } : {}),
    fetch: doFetch,
    log,
  });
  return createApp(runtime, {
    config,
    apiKeys: list(env.CLINVK_API_KEYS),
    clientIp: 'edge',
    console: CONSOLE_ASSETS,
    mcp,
    memory: { conversations: remember<string>('conv', HOUR), responses },
  });
}

/** A Worker whose RUNNER_URL or CLINVK_CONFIG_JSON is wrong answers every request with a 503 that says so. */
function misconfigured(err: unknown): WorkerApp {
  const message = isClinvkError(err) ? err.message : `the Worker could not start: ${String(err)}`;
  const hint = isClinvkError(err) ? err.hint : undefined;
  console.error(JSON.stringify({ level: 'error', app: 'clinvk-worker', msg: message }));
  return {
    fetch: async (request) => errorResponse(surfaceOf(new URL(request.url).pathname), 503, 'CONFIG_INVALID', message, {}, hint ? { hint } : {}),
  };
}

function buildApp(env: WorkerEnv): WorkerApp {
  try {
    return createWorkerApp(env);
  } catch (err) {
    return misconfigured(err);
  }
}

// One app per isolate and environment: building it per request would forget rate-limit buckets and the
// round-robin position (what must be shared across isolates is in the Durable Object).
let cached: { env: WorkerEnv; app: WorkerApp } | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    if (!cached || cached.env !== env) cached = { env, app: buildApp(env) };
    const peer = request.headers.get('cf-connecting-ip') ?? undefined;
    return cached.app.fetch(request, peer ? { remoteAddress: peer } : {});
  },
};
