// A live Node runner (the same pieces as `clinvk serve`) driving the fake CLIs, on a random port.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../../handlers/app.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { serve } from '../../runtime/node/server.ts';

export interface Runner {
  url: string;
  home: string;
  close(): Promise<void>;
}

export const FAKE_CLIS = resolve('test/fixtures/fake-clis');

/** `mcp`: serve /mcp on a cold runner too (a warm one always does), to compare MCP answers warm and cold. */
export async function startRunner(opts: { apiKeys?: string[]; env?: Record<string, string>; warm?: boolean; mcp?: boolean } = {}): Promise<Runner> {
  const home = await mkdtemp(join(tmpdir(), 'clinvk-runner-'));
  const env = {
    ...process.env,
    HOME: home,
    CLINVK_HOME: home,
    TMPDIR: home,
    PATH: `${FAKE_CLIS}:${process.env.PATH ?? ''}`,
    FAKE_CHUNK_DELAY_MS: '10',
    ...opts.env,
  };
  const runtime = await createNodeRuntime({ env, cwd: home, mode: 'server', logLevel: 'error', ...(opts.warm ? { warm: true } : {}) });
  // The warm runner is `clinvk serve` as a whole, /mcp included.
  const mcpFactory = opts.warm || opts.mcp ? (await import('../../mcp/http.ts')).createMcpHttpHandler : undefined;
  const app = createApp(runtime, { config: runtime.config, apiKeys: opts.apiKeys ?? [], ...(mcpFactory ? { mcpFactory: (rt) => mcpFactory(rt, { defaultBackend: 'claude' }) } : {}) });
  const server = await serve((req, conn) => app.fetch(req, conn), { host: '127.0.0.1', port: 0, log: runtime.log, shutdownGraceMs: 500 });
  return {
    url: server.url,
    home,
    async close() {
      await server.close();
      await runtime.close();
      // A run cut off by a client can still be writing its session record while this removes the
      // folder (slowly on a busy machine): retry on ENOTEMPTY rather than fail the test.
      await rm(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}
