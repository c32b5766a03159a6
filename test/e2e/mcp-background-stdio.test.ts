// clinvk_start → clinvk_status → clinvk_result over stdio: the built `clinvk mcp` and the fake CLIs.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLINVK, ensureBuilt, sandbox } from './cli-helpers.ts';

let client: Client;

beforeAll(async () => {
  ensureBuilt();
  const { env, home } = sandbox({ FAKE_CHUNK_DELAY_MS: '1500', FAKE_CHUNKS: '3' });
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLINVK, 'mcp'], cwd: home, env, stderr: 'pipe' });
  client = new Client({ name: 'bg', version: '0' });
  await client.connect(transport);
}, 30_000);
afterAll(() => client?.close());

const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;

describe('background runs over stdio', () => {
  it('start returns before the run ends; status, then result returns the whole answer', async () => {
    const started = await call('clinvk_start', { backend: 'gemini', prompt: 'take your time' });
    const id = (started.structuredContent as { run_id: string }).run_id;
    // Still running after start answered (the answer takes 3 × 1.5 s): start did not wait for the
    // run. This, not a wall-clock figure, is what shows it; a busy machine makes any figure fail.
    const status = await call('clinvk_status', { run_id: id });
    expect((status.structuredContent as { state: string }).state).toBe('running');
    const result = await call('clinvk_result', { run_id: id, wait_secs: 20 });
    expect((result.content[0] as { text: string }).text).toBe('Hello from fake gemini (turn 1): take your time');
    expect((result.structuredContent as { state: string }).state).toBe('completed');
  });
});
