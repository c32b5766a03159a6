// `clinvk mcp`: the MCP server on stdin/stdout. stdout carries nothing but protocol messages, so
// logs go to stderr (the Node runtime in 'cli' mode logs there) and stray console.log calls are
// sent to stderr too. The server stops when the client closes stdin or on SIGINT/SIGTERM; closing
// aborts every tool call in flight, which kills the agents' process trees.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Readable, Writable } from 'node:stream';
import { createNodeRuntime } from '../runtime/node/index.ts';
import { createMcpServer } from './server.ts';

export interface StdioOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  configPath?: string;
  stdin?: Readable;
  stdout?: Writable;
  /** Install SIGINT/SIGTERM handlers (default true). */
  signals?: boolean;
}

/** Serves until the client goes away; resolves once the server is closed. */
export async function serveStdio(opts: StdioOptions): Promise<void> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  if (stdout === process.stdout) console.log = console.error;

  const rt = await createNodeRuntime({ env: opts.env, cwd: opts.cwd, mode: 'cli', warm: true, ...(opts.configPath !== undefined ? { configPath: opts.configPath } : {}) });
  const server = createMcpServer(rt, { defaultBackend: rt.config.default_backend });
  const closed = new Promise<void>((resolve) => (server.server.onclose = resolve));
  const stop = () => void server.close().catch(() => undefined);

  stdin.once('end', stop);
  stdin.once('close', stop);
  const onSignal = () => stop();
  if (opts.signals !== false) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  server.server.onerror = (err) => rt.log.warn({ err: err.message }, 'mcp protocol error');

  await server.connect(new StdioServerTransport(stdin, stdout));
  rt.log.debug({ version: rt.version }, 'mcp server on stdio');
  await closed;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await rt.close();
}
