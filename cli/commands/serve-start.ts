// The composition behind `clinvk serve`: Node runtime + app + node:http server + signal handling.
// Loaded on demand by serve.ts.
import { availableParallelism } from 'node:os';
import { createApp } from '../../handlers/app.ts';
import { framingErrorResponse } from '../../handlers/framing-error.ts';
import { serve, type RunningServer } from '../../runtime/node/server.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { dropApiKeys, takeApiKeys } from '../../runtime/node/config.ts';
import { CONSOLE_ASSETS } from '../../handlers/console/assets.gen.js';
import { EXIT } from '../exit-codes.ts';

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  configPath?: string;
  host?: string;
  port?: number;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Install SIGINT/SIGTERM handlers (default true). */
  signals?: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function startServer(opts: StartOptions): Promise<{ server: RunningServer; stopped: Promise<void> }> {
  const env = opts.env as Record<string, string | undefined>;
  // First, before anything can start a process: the keys leave the environment here.
  const apiKeys = takeApiKeys(env);
  dropApiKeys(process.env); // the same object when run as `clinvk serve`; tests may pass their own
  const rt = await createNodeRuntime({ env, cwd: opts.cwd, mode: 'server', warm: true, ...(opts.configPath ? { configPath: opts.configPath } : {}) });
  const s = rt.config.server;
  const { createMcpHttpHandler } = await import('../../mcp/http.ts');
  const host = opts.host ?? s.host;
  const app = createApp(rt, {
    config: rt.config,
    apiKeys,
    listenHost: host,
    defaultMaxRuns: 4 * availableParallelism(),
    console: CONSOLE_ASSETS,
    mcpFactory: (gated) => createMcpHttpHandler(gated, { defaultBackend: rt.config.default_backend }),
  });
  const server = await serve((req, conn) => app.fetch(req, conn), {
    host,
    port: opts.port ?? s.port,
    log: rt.log,
    shutdownGraceMs: s.shutdown_grace_secs * 1000,
    keepAliveTimeoutMs: s.idle_timeout_secs * 1000,
    requestTimeoutMs: s.read_timeout_secs * 1000,
    framingError: framingErrorResponse,
  });

  const backends = await rt.backends().catch(() => []);
  opts.out(`clinvk ${rt.version} listening on ${server.url}`);
  opts.out(`API keys: ${apiKeys.length > 0 ? `on (${apiKeys.length})` : 'off'}`);
  if (s.console) opts.out(`console: ${server.url}/`);
  opts.out(`backends: ${backends.map((b) => `${b.name} (${b.available ? 'available' : b.enabled ? 'not found' : 'disabled'})`).join(', ') || 'none'}`);
  if (apiKeys.length === 0 && !LOOPBACK.test(host)) {
    opts.err(`warning: serving on ${host} without API keys: anyone who can reach this port can run agents. Set CLINVK_API_KEYS.`);
  }

  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  if (opts.signals !== false) {
    // The handlers stay installed: with none of ours left, signal-exit (loaded by proper-lockfile once a
    // session is recorded) re-raises the signal and the server dies mid-shutdown, dropping runs in flight.
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) process.exit(EXIT.cancelled); // a second Ctrl-C exits at once ('exit' kills the process groups)
      opts.err(`${sig}: shutting down (runs in flight get ${s.shutdown_grace_secs}s to finish)…`);
      void server
        .close()
        .then(() => rt.close())
        .then(stop, stop);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return { server, stopped };
}
