// The whole HTTP server as one fetch handler: middleware (one file each under middleware/), then
// routing on itty-router. Pure: no node:* here; the Node server (runtime/node/server.ts) and the
// Worker both call `fetch`. A surface is a prefix plus a handler; its error format follows from the
// prefix (errors.ts), so the middleware's 401/413/429 reach each SDK in the dialect it parses.
import { Router, type IRequest } from 'itty-router';
import type { Config } from '../runtime/config.ts';
import { BACKEND_NAMES, type Runtime } from '../runtime/contract.ts';
import { createAnthropicSurface } from './anthropic.ts';
import { ConversationCache, type ConversationMemory } from './compat/conversation.ts';
import { createToolTurns } from './compat/tool-turns.ts';
import { createConsole, type ConsoleAssets } from './console/serve.ts';
import { ExpiringMap } from './compat/expiring-map.ts';
import { errorResponse, surfaceOf } from './errors.ts';
import { auth } from './middleware/auth.ts';
import { bodyLimit } from './middleware/body-limit.ts';
import { clientIp } from './middleware/client-ip.ts';
import { compose, type Ctx, type Middleware } from './middleware/context.ts';
import { cors } from './middleware/cors.ts';
import { createKeyChecker } from './middleware/credentials.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { hostCheck } from './middleware/host-check.ts';
import { failure, recovery } from './middleware/recovery.ts';
import { requestId } from './middleware/request-id.ts';
import { requestLog } from './middleware/request-log.ts';
import { timeout } from './middleware/timeout.ts';
import { createTokenBuckets } from './middleware/token-bucket.ts';
import { createOpenAiSurface } from './openai.ts';
import type { ResponseStore } from './openai/responses.ts';
import { createRestApi } from './rest.ts';
import { createRunGate, gatedRuntime, gaugeRuns, type RunGate } from './run-gate.ts';
import { health, metrics, openapi } from './system.ts';

export interface AppOptions {
  config: Config;
  /** Keys callers must present; empty = no auth. Never from the config file (SPEC §4). */
  apiKeys: string[];
  /** The Streamable-HTTP MCP endpoint, mounted at /mcp. */
  mcp?: (req: Request) => Promise<Response>;
  /** Or: build the /mcp handler on the app's runtime, so MCP runs count against the run cap too. */
  mcpFactory?: (runtime: Runtime) => (req: Request) => Promise<Response>;
  now?: () => number;
  /** Peer address to assume when `fetch` is called without one (tests, the Worker). */
  clientIp?: string;
  /**
   * The address the server listens on. Given (the Node server), the Host check is on: a request must name
   * localhost, an IP address, this host or one of server.allowed_hosts. Not given (the Worker, whose name is
   * its route's), the check runs only when server.allowed_hosts is set.
   */
  listenHost?: string;
  /** Runs at once when server.max_concurrent_runs is 0; the Node side passes a figure from the machine. */
  defaultMaxRuns?: number;
  /** The web console's built files (handlers/console/assets.gen.js), served at / when server.console is on. */
  console?: ConsoleAssets;
  /** Where conversations and stored Responses are remembered; default: this process's memory (the edge passes its Durable Object). */
  memory?: { conversations: ConversationMemory; responses: ResponseStore };
}

/** What the server knows about the connection; the Node adapter passes it as fetch's second argument. */
export interface ConnInfo {
  remoteAddress?: string;
}

export interface App {
  fetch(request: Request, conn?: ConnInfo): Promise<Response>;
  /** The run gate, for the shutdown logic and /health. */
  readonly gate: RunGate;
}

type Mount = [pattern: string, handle: (req: Request, ctx: Ctx) => Promise<Response | undefined>];

export function createApp(base: Runtime, options: AppOptions): App {
  const { config } = options;
  const server = config.server;
  const now = options.now ?? Date.now;
  const maxRuns = server.max_concurrent_runs || options.defaultMaxRuns || 16;
  const gate = createRunGate({ max: maxRuns, queueMax: Math.max(64, maxRuns * 8), queueTimeoutMs: server.queue_timeout_secs * 1000, onChange: gaugeRuns(base.metrics) });
  const runtime = gatedRuntime(base, gate);
  const heartbeatMs = server.heartbeat_secs * 1000;
  const chat = { runtime, backendNames: BACKEND_NAMES, defaultBackend: config.default_backend, conversations: options.memory?.conversations ?? new ConversationCache(), heartbeatMs, ...(runtime.resolveToolCall ? { toolTurns: createToolTurns(runtime) } : {}) };
  const openai = createOpenAiSurface({ ...chat, config, responses: options.memory?.responses ?? new ExpiringMap(), now });
  const anthropic = createAnthropicSurface(chat);
  const sys = { runtime, config, gate, maxRuns, startedAt: now(), now };
  const mcp = options.mcpFactory?.(runtime) ?? options.mcp;

  const mounts: Mount[] = [
    ['/api/v1/*', createRestApi({ runtime, config, heartbeatMs })],
    ['/openai/v1/*', (req, ctx) => openai(req, ctx.signal, ctx.log)],
    ['/anthropic/v1/*', (req, ctx) => anthropic(req, ctx.signal, ctx.log)],
    ...(mcp ? [['/mcp', (req: Request) => mcp(req)] as Mount] : []),
  ];
  const router = Router<IRequest, [Ctx]>()
    .get('/health', () => health(sys))
    // Load balancers and uptime checks often probe with HEAD: the status alone, no body.
    .head('/health', async () => {
      const res = await health(sys);
      return new Response(null, { status: res.status, headers: res.headers });
    })
    .get('/metrics', () => metrics(sys))
    .get('/openapi.json', openapi(runtime.version));
  for (const [pattern, handle] of mounts) router.all(pattern, (req, ctx) => handle(req, ctx));
  if (options.console && server.console) {
    const page = createConsole(options.console);
    for (const pattern of ['/', '/console/*']) router.all(pattern, (req, ctx) => page(req, ctx.url.pathname));
  }

  async function dispatch(ctx: Ctx): Promise<Response> {
    const req = ctx.req as IRequest;
    try {
      const res = await router.fetch(req, ctx);
      if (res) {
        ctx.route = req.route;
        return res;
      }
      return errorResponse(ctx.surface, 404, 'NOT_FOUND', `no route for ${ctx.req.method} ${ctx.url.pathname}`, {}, { requestId: ctx.requestId, instance: ctx.url.pathname });
    } catch (err) {
      ctx.route = req.route;
      return failure(ctx, err);
    }
  }

  const check = createKeyChecker(options.apiKeys);
  const middleware: Middleware[] = [
    requestId(),
    clientIp(server.trusted_proxies),
    recovery(),
    requestLog(base.metrics, now),
    // Before everything that answers (CORS preflights included), whatever the path.
    ...(options.listenHost !== undefined || server.allowed_hosts.length > 0 ? [hostCheck({ allowed: server.allowed_hosts, ...(options.listenHost ? { listenHost: options.listenHost } : {}) })] : []),
    cors({ origins: server.cors_allowed_origins, credentials: server.cors_allow_credentials, maxAgeSeconds: server.cors_max_age }),
    bodyLimit(server.max_request_body_bytes),
    ...(server.rate_limit_enabled ? [rateLimit(createTokenBuckets({ rps: server.rate_limit_rps, burst: server.rate_limit_burst, now }), check)] : []),
    ...(options.apiKeys.length > 0 ? [auth(check)] : []),
    timeout(server.request_timeout_secs * 1000),
  ];
  const handle = compose(middleware, dispatch);

  return {
    gate,
    fetch(request, conn) {
      const url = new URL(request.url);
      const ctx: Ctx = {
        req: request,
        url,
        surface: surfaceOf(url.pathname),
        requestId: '',
        peer: conn?.remoteAddress ?? options.clientIp ?? '',
        clientIp: '',
        signal: request.signal,
        startedAt: now(),
        log: base.log,
      };
      return handle(ctx);
    },
  };
}
