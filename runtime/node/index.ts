// createNodeRuntime: the engine wired to the real OS (spawner, PATH, sessions on disk, config, pino).
// Every door on Node (CLI, server, MCP stdio) builds its Runtime here.
import { realpath, stat } from 'node:fs/promises';
import type { Invocation, Metrics, Runtime, RunEvent, SessionStore } from '../contract.ts';
import type { Config } from '../config.ts';
import { createAttachmentIO } from './attachments-io.ts';
import { createEngine, type Engine, type RunPlan } from '../engine.ts';
import { CLINVK_VERSION } from '../version.ts';
import { childEnv } from './child-env.ts';
import { clinvkHome, configPath as defaultConfigPath, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createSessionStore, sessionsDir } from './sessions.ts';
import { createSpawner } from './spawner.ts';
import { withSandboxPreflight } from './sandbox-preflight.ts';
import { BACKENDS } from '../backends/registry.ts';
import { createWarmPool, type WarmPool } from './warm-pool.ts';
import { createToolBridge } from './tool-bridge-server.ts';
import { createVersionProbe, createWhich } from './which.ts';
import { createTempFiles } from './temp-files.ts';
import { cachedDoctor } from './doctor-cache.ts';

/** How long the server and `clinvk mcp` answer the doctor from the last report. */
const DOCTOR_TTL_MS = 30_000;

export interface NodeRuntimeOptions {
  configPath?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  mode?: 'cli' | 'server';
  logLevel?: string;
  /** Use this config instead of loading the file (tests, flags already merged). */
  config?: Config;
  /**
   * Keep backends alive between turns (a pool of warm agents, `warm.*` in the config). For long-lived
   * processes only (`clinvk serve`, `clinvk mcp`): the one-shot CLI ends with its turn, so it stays cold.
   */
  warm?: boolean;
}

export interface NodeRuntime extends Runtime {
  config: Config;
  configPath: string;
  home: string;
  engine: Engine;
  /** Present when live agents are on. */
  pool?: WarmPool;
  plan(inv: Invocation): Promise<RunPlan>;
  close(): Promise<void>;
}

export async function createNodeRuntime(opts: NodeRuntimeOptions = {}): Promise<NodeRuntime> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const mode = opts.mode ?? 'cli';
  const pathOpts = { env, ...(opts.configPath !== undefined ? { path: opts.configPath } : {}) };
  const loaded = opts.config
    ? { config: opts.config, path: defaultConfigPath(pathOpts), home: clinvkHome(env) }
    : await loadConfig(pathOpts);
  const { config, home } = loaded;

  const log = createLogger({ mode, ...(opts.logLevel !== undefined ? { level: opts.logLevel } : config.unified_flags.verbose ? { level: 'debug' } : {}) });
  // The CLI never renders metrics: skip loading prom-client there.
  const metrics = mode === 'server' ? (await import('./metrics.ts')).createMetrics() : quietMetrics();
  const sessions = countingStore(createSessionStore({ dir: sessionsDir(home), log }), metrics);
  const baseEnv = childEnv(env);
  const warmBackends = Object.values(BACKENDS).filter((a) => a.warm !== undefined).map((a) => a.name);
  const pool = opts.warm && config.warm.enabled ? createWarmPool({ settings: config.warm, backends: warmBackends, log, metrics }) : undefined;
  // The caller's own tools (OpenAI/Anthropic function tools) need a server that outlives one request.
  const toolBridge = mode === 'server' ? createToolBridge({ timeoutMs: config.server.tool_result_timeout_secs * 1000, log }) : undefined;
  const engine = createEngine({
    config,
    // gemini's container sandbox is checked before gemini is started (sandbox-preflight.ts).
    spawner: withSandboxPreflight(createSpawner({ log }), { which: createWhich({ env: baseEnv, cwd }) }),
    sessions,
    which: createWhich({ env, cwd }),
    realpath: (p) => realpath(p),
    isDirectory: async (p) => (await stat(p)).isDirectory(),
    version: createVersionProbe({ env: baseEnv }),
    env: baseEnv,
    cwd,
    log,
    attachments: createAttachmentIO(env.TMPDIR ? { dir: env.TMPDIR } : {}), // per-run folders under the runtime's own TMPDIR
    tempFiles: createTempFiles(),
    ...(pool ? { warm: pool } : {}),
    ...(toolBridge ? { toolBridge } : {}),
    ...(mode === 'server'
      ? { workdirPolicy: { allowed: config.server.allowed_workdir_prefixes, blocked: config.server.blocked_workdir_prefixes } }
      : {}),
  });

  // Spares: initialized processes waiting for a first turn with the default start (server workdir).
  if (pool) for (const [backend, n] of Object.entries(config.warm.spares)) if (n > 0 && warmBackends.includes(backend)) pool.keepSpares(backend, () => engine.spareSpec(backend));

  const inFlight = new Map<string, number>();
  async function* run(inv: Invocation, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    let backend = inv.backend;
    let counted = false;
    try {
      for await (const e of engine.run(inv, signal)) {
        if (e.type === 'init' && !counted) {
          backend = e.backend;
          counted = true;
          inFlight.set(backend, (inFlight.get(backend) ?? 0) + 1);
          metrics.gauge('clinvk_active_sessions', inFlight.get(backend) ?? 0, { backend });
        }
        if (e.type === 'done' && !inv.dryRun) {
          metrics.inc('clinvk_backend_executions_total', { backend: e.result.backend, status: e.result.error ? e.result.error.code.toLowerCase() : 'ok' });
          metrics.observe('clinvk_backend_execution_duration_seconds', e.result.durationMs / 1000, { backend: e.result.backend });
        }
        yield e;
      }
    } finally {
      if (counted) {
        inFlight.set(backend, (inFlight.get(backend) ?? 1) - 1);
        metrics.gauge('clinvk_active_sessions', inFlight.get(backend) ?? 0, { backend });
      }
    }
  }

  // Loaded when asked: no other command pays for the doctor's modules. Kept DOCTOR_TTL_MS (doctor-cache.ts).
  const doctor = cachedDoctor(
    async (o) =>
      (await import('./doctor/index.ts')).runDoctor({ env, cwd, ...(opts.configPath !== undefined ? { configPath: opts.configPath } : {}), live: o.live === true, run, hidePaths: mode === 'server', ...(o.signal ? { signal: o.signal } : {}) }),
    { ttlMs: DOCTOR_TTL_MS },
  );

  return {
    run,
    backends: () => engine.backends(),
    plan: (inv) => engine.plan(inv),
    sessions,
    log,
    metrics,
    version: CLINVK_VERSION,
    config,
    configPath: loaded.path,
    home,
    engine,
    ...(pool ? { pool, warm: () => pool.stats() } : {}),
    doctor,
    ...(toolBridge ? { resolveToolCall: (id: string, result: { content: string; isError?: boolean }) => toolBridge.resolve(id, result) } : {}),
    async close() {
      await toolBridge?.close();
      await pool?.close();
      (log as { flush?: () => void }).flush?.();
    },
  };
}

/** Counts created sessions; everything else passes straight through. */
function countingStore(store: SessionStore, metrics: Metrics): SessionStore {
  return {
    create: async (init) => {
      const s = await store.create(init);
      metrics.inc('clinvk_sessions_created_total', { backend: s.backend });
      return s;
    },
    get: (id) => store.get(id),
    update: (id, mutate) => store.update(id, mutate),
    list: (filter) => store.list(filter),
    delete: (id) => store.delete(id),
    clean: (days) => store.clean(days),
    count: () => store.count(),
  };
}

/** The CLI's metrics: accepted and dropped. */
function quietMetrics(): Metrics {
  return {
    inc: () => {},
    observe: () => {},
    gauge: () => {},
    render: async () => '',
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
  };
}
