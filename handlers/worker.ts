// The Workers entry: the same createApp as `clinvk serve`, with a Runtime that has no processes of its
// own and forwards each run to Node runners (`clinvk serve`) over fetch. The handlers cannot tell.
import { configSchema, type Config } from '../runtime/config.ts';
import { consoleLogger, memoryMetrics } from '../runtime/edge-support.ts';
import { createRemoteRuntime } from '../runtime/remote.ts';
import { CLINVK_VERSION } from '../runtime/version.ts';
import { createApp, type App } from './app.ts';
import { CONSOLE_ASSETS } from './console/assets.gen.js';

export interface WorkerEnv {
  /** One runner URL, or several separated by commas. */
  RUNNER_URL?: string;
  /** The runners' API key. */
  RUNNER_TOKEN?: string;
  /** Keys this Worker's clients must send (comma-separated); none = open. */
  CLINVK_API_KEYS?: string;
  /** Optional JSON of config overrides (e.g. {"default_backend":"codex","server":{"cors_allowed_origins":["https://app.example"]}}). */
  CLINVK_CONFIG_JSON?: string;
  LOG_LEVEL?: 'debug' | 'info' | 'warn' | 'error';
}

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export function workerConfig(env: WorkerEnv): Config {
  const overrides = env.CLINVK_CONFIG_JSON ? (JSON.parse(env.CLINVK_CONFIG_JSON) as unknown) : {};
  return configSchema.parse(overrides);
}

export function createWorkerApp(env: WorkerEnv, fetcher?: typeof fetch): App {
  const log = consoleLogger({ app: 'clinvk-worker' }, env.LOG_LEVEL ?? 'warn');
  const runtime = createRemoteRuntime({
    runners: list(env.RUNNER_URL),
    ...(env.RUNNER_TOKEN ? { token: env.RUNNER_TOKEN } : {}),
    ...(fetcher ? { fetch: fetcher } : {}),
    log,
    metrics: memoryMetrics(),
    version: CLINVK_VERSION,
  });
  return createApp(runtime, { config: workerConfig(env), apiKeys: list(env.CLINVK_API_KEYS), clientIp: 'edge', console: CONSOLE_ASSETS });
}

// One app per isolate and environment: building it per request would forget conversations,
// remembered responses and rate-limit buckets between requests.
let cached: { env: WorkerEnv; app: App } | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    if (!cached || cached.env !== env) cached = { env, app: createWorkerApp(env) };
    const peer = request.headers.get('cf-connecting-ip') ?? undefined;
    return cached.app.fetch(request, peer ? { remoteAddress: peer } : {});
  },
};
