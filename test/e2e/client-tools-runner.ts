// A live server (the same pieces as `clinvk serve`) for the client-tool tests: like workerd/runner.ts,
// plus config knobs (a short server.tool_result_timeout_secs) and a FAKE_LOG to find the agents' pids.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../../handlers/app.ts';
import { defaultConfig } from '../../runtime/config-defaults.ts';
import type { Config } from '../../runtime/config.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { serve } from '../../runtime/node/server.ts';

export interface ToolRunner {
  url: string;
  log: string;
  /** FAKE_LOG lines of every fake CLI run so far. */
  entries(): { cli: string; phase: string; argv: string[]; pid: number; exitCode?: number }[];
  close(): Promise<void>;
}

export async function startToolRunner(opts: { configure?: (c: Config) => void; env?: Record<string, string> } = {}): Promise<ToolRunner> {
  const home = await mkdtemp(join(tmpdir(), 'clinvk-tools-'));
  const log = join(home, 'fake.log');
  const env = { ...process.env, HOME: home, CLINVK_HOME: home, TMPDIR: home, PATH: `${resolve('test/fixtures/fake-clis')}:${process.env.PATH ?? ''}`, FAKE_CHUNK_DELAY_MS: '5', FAKE_LOG: log, ...opts.env };
  const config = defaultConfig();
  opts.configure?.(config);
  const runtime = await createNodeRuntime({ env, cwd: home, mode: 'server', logLevel: 'error', config });
  const app = createApp(runtime, { config, apiKeys: ['sk-test'] });
  const server = await serve((req, conn) => app.fetch(req, conn), { host: '127.0.0.1', port: 0, log: runtime.log, shutdownGraceMs: 500 });
  return {
    url: server.url,
    log,
    entries: () => {
      try {
        return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    async close() {
      await server.close();
      await runtime.close();
      await rm(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}
