// MCP over Streamable HTTP at /mcp on a live `clinvk serve` (the built CLI) with the fake backends,
// behind the same API keys as the rest of the server.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLINVK, ensureBuilt, sandbox } from './cli-helpers.ts';

let server: ChildProcess;
let url: string;

beforeAll(async () => {
  ensureBuilt();
  const { env, home } = sandbox({ CLINVK_API_KEYS: 'mcp-key' });
  server = spawn(process.execPath, [CLINVK, 'serve', '--port', '0'], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}, 30_000);

afterAll(() => {
  server?.kill('SIGTERM');
});

async function connect(key: string) {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'live-http', version: '0' });
  await client.connect(transport);
  return client;
}

describe('MCP over HTTP on clinvk serve', () => {
  it('lists tools, runs a prompt with progress, and answers bad input with a tool error', async () => {
    const client = await connect('mcp-key');
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['clinvk_prompt', 'clinvk_compare', 'clinvk_chain', 'clinvk_parallel', 'clinvk_backends', 'clinvk_sessions']));
    const progress: string[] = [];
    const r = (await client.callTool({ name: 'clinvk_prompt', arguments: { backend: 'codex', prompt: 'over http' } }, undefined, {
      onprogress: (p) => progress.push(p.message ?? ''),
    })) as CallToolResult;
    expect((r.content[0] as { text: string }).text).toBe('Hello from fake codex (turn 1): over http');
    expect(progress.join('')).toContain('over http');
    const bad = (await client.callTool({ name: 'clinvk_prompt', arguments: { backend: 'codex' } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect((bad.content[0] as { text: string }).text).toMatch(/prompt/);
    await client.close();
  });

  it('refuses a client without the key', async () => {
    await expect(connect('wrong')).rejects.toThrow(/401|Unauthorized|invalid/i);
  });
});
