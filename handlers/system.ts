// /health, /metrics and /openapi.json.
import type { Config } from '../runtime/config.ts';
import { isClinvkError, type Runtime } from '../runtime/contract.ts';
import { errorResponse } from './errors.ts';
import type { RunGate } from './run-gate.ts';
import { openApiDocument } from './schemas/openapi.ts';

export interface SystemDeps {
  runtime: Runtime;
  config: Config;
  gate: RunGate;
  maxRuns: number;
  startedAt: number;
  now: () => number;
}

/** Go's duration style, as the reference prints it: `1h2m3s`. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s % 60}s`;
}

async function storeHealth(runtime: Runtime) {
  try {
    return { available: true, session_count: await runtime.sessions.count() };
  } catch (err) {
    // /health answers without a key: a ClinvkError's message names no path, anything else is not repeated.
    runtime.log.warn({ err }, 'the session store failed its health check');
    return { available: false, session_count: 0, error: isClinvkError(err) ? err.message : 'the session store failed' };
  }
}

/** The pool of live agents, snake_case; absent where there is none (the Worker, warm off). */
async function warmHealth(runtime: Runtime) {
  const w = await runtime.warm?.().catch(() => undefined);
  if (!w) return undefined;
  return {
    enabled: w.enabled,
    max_agents: w.maxAgents,
    live: w.agents.length,
    spares: w.spares,
    evictions: w.evictions,
    rss_bytes: w.rssBytes,
    agents: w.agents.map((a) => ({ pid: a.pid, backend: a.backend, state: a.state, spare: a.spare, session_id: a.session, turns: a.turns, age_secs: a.ageSecs, rss_bytes: a.rssBytes })),
  };
}

/** The edge's runners and their states, snake_case; absent where runs are local. */
async function runnersHealth(runtime: Runtime) {
  const list = await runtime.runners?.().catch(() => undefined);
  return list?.map((r) => ({ name: r.name, state: r.state, ...(r.checkedSecsAgo !== undefined ? { checked_secs_ago: r.checkedSecsAgo } : {}), ...(r.reason ? { reason: r.reason } : {}) }));
}

export async function health(deps: SystemDeps): Promise<Response> {
  const [backends, store, warm, runners] = await Promise.all([deps.runtime.backends().catch(() => []), storeHealth(deps.runtime), warmHealth(deps.runtime), runnersHealth(deps.runtime)]);
  const enabled = backends.filter((b) => b.enabled);
  const available = enabled.filter((b) => b.available);
  const runnersDown = runners?.filter((r) => r.state === 'down').length ?? 0;
  // unhealthy: nothing can run; degraded: something configured is missing (a backend, or one of the edge's runners).
  const status = !store.available || available.length === 0 ? 'unhealthy' : available.length < enabled.length || runnersDown > 0 ? 'degraded' : 'ok';
  const uptimeMs = Math.max(0, deps.now() - deps.startedAt);
  const body = {
    status,
    version: deps.runtime.version,
    uptime: formatUptime(uptimeMs),
    uptime_millis: uptimeMs,
    backends: backends.map((b) => ({ name: b.name, available: b.available, enabled: b.enabled, ...(b.version ? { version: b.version } : {}), ...(b.warm ? { warm: true } : {}) })),
    session_store: store,
    runs: { in_flight: deps.gate.active, queued: deps.gate.queued, max: deps.maxRuns },
    ...(warm ? { warm } : {}),
    ...(runners ? { runners } : {}),
  };
  return Response.json(body, { status: status === 'unhealthy' ? 503 : 200, headers: { 'cache-control': 'no-store' } });
}

export async function metrics(deps: SystemDeps): Promise<Response> {
  if (!deps.config.server.metrics_enabled) return errorResponse('rest', 404, 'NOT_FOUND', 'metrics are off: set server.metrics_enabled: true in the config');
  await deps.runtime.warm?.().catch(() => undefined); // refreshes the live agents' memory gauge
  return new Response(await deps.runtime.metrics.render(), { headers: { 'content-type': deps.runtime.metrics.contentType } });
}

export function openapi(version: string): () => Response {
  let doc: string | undefined; // built on first use: z.toJSONSchema is not free
  return () => new Response((doc ??= JSON.stringify(openApiDocument(version))), { headers: { 'content-type': 'application/json' } });
}
