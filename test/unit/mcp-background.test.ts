// Runs longer than an MCP client waits (clinvk_start / status / result / cancel) and answers larger
// than one tool result (pages), over the SDK Client and InMemoryTransport.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpServer, type McpServerOptions } from '../../mcp/server.ts';
import { fakeRuntime, type FakeRuntime } from './handlers/fake-runtime.ts';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(rt: FakeRuntime, opts: McpServerOptions = {}) {
  const server = createMcpServer(rt, opts);
  const [ct, st] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '0' });
  await Promise.all([server.connect(st), client.connect(ct)]);
  clients.push(client);
  return client;
}
const call = async (c: Client, name: string, args: Record<string, unknown>) => (await c.callTool({ name, arguments: args })) as CallToolResult;
const text = (r: CallToolResult, i = 0) => (r.content[i] as { text: string }).text;
const data = (r: CallToolResult) => r.structuredContent as Record<string, any>;

describe('background runs', () => {
  it('start returns at once; status shows progress; result waits for the answer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const client = await connect(fakeRuntime(() => ({ chunks: ['part one, ', 'part two'], gate })));
    const started = await call(client, 'clinvk_start', { backend: 'codex', prompt: 'long job' });
    const id = data(started).run_id as string;
    expect(data(started)).toMatchObject({ state: 'running', backend: 'codex' });
    expect(data(await call(client, 'clinvk_status', { run_id: id }))).toMatchObject({ state: 'running' });
    const early = await call(client, 'clinvk_result', { run_id: id, wait_secs: 0.1 });
    expect(text(early)).toMatch(/still running/);
    release();
    const done = await call(client, 'clinvk_result', { run_id: id, wait_secs: 5 });
    expect(text(done)).toBe('part one, part two');
    expect(data(done)).toMatchObject({ state: 'completed', page: 1, pages: 1 });
  });

  it('cancel stops a running run', async () => {
    const rt = fakeRuntime(() => ({ chunks: Array(50).fill('x'), delayMs: 50 }));
    const client = await connect(rt);
    const id = data(await call(client, 'clinvk_start', { prompt: 'forever' })).run_id as string;
    const cancelled = await call(client, 'clinvk_cancel', { run_id: id });
    expect(data(cancelled).state).toBe('cancelled');
    expect(rt.calls[0]!.signal?.aborted).toBe(true);
  });

  it('bad input and unknown runs are tool errors', async () => {
    const client = await connect(fakeRuntime());
    expect((await call(client, 'clinvk_start', {})).isError).toBe(true);
    const missing = await call(client, 'clinvk_result', { run_id: 'run_nope' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/no run run_nope/);
  });
});

describe('large answers come in pages', () => {
  it('clinvk_prompt returns page 1 and clinvk_result the rest; the pages concatenate to the whole', async () => {
    const whole = Array.from({ length: 30 }, (_, i) => `line ${i} `.padEnd(200, '.')).join('\n');
    const client = await connect(fakeRuntime(() => ({ chunks: [whole] })), { pageTokens: 1000 });
    const first = await call(client, 'clinvk_prompt', { prompt: 'big' });
    const note = text(first, 2);
    const id = /run_id "([^"]+)"/.exec(note)![1]!;
    expect(note).toMatch(/page 1 of 2/);
    let pages = text(first);
    let page = 2;
    for (;;) {
      const r = await call(client, 'clinvk_result', { run_id: id, page });
      pages += text(r).replace(/\n\n\[page \d+ of \d+[^\]]*\]$/, '');
      if (!data(r).next_page) break;
      page = data(r).next_page as number;
    }
    expect(pages).toBe(whole);
  });

  it('structuredContent alone (what Claude Code and Codex give their model) leads to the rest', async () => {
    const whole = Array.from({ length: 30 }, (_, i) => `line ${i} `.padEnd(200, '.')).join('\n');
    const client = await connect(fakeRuntime(() => ({ chunks: [whole] })), { pageTokens: 1000 });
    const first = data(await call(client, 'clinvk_prompt', { prompt: 'big' }));
    expect(first).toMatchObject({ page: 1, pages: 2, next_page: 2, run_id: expect.stringMatching(/^run_/) });
    // A client that shows only the start of a large result (Claude Code: 2 KB) still shows the way on.
    expect(Object.keys(first).slice(0, 4)).toEqual(['run_id', 'page', 'pages', 'next_page']);
    expect(first.warnings.at(-1)).toMatch(new RegExp(`answer continues.*run_id "${first.run_id}" and page 2`));
    const second = data(await call(client, 'clinvk_result', { run_id: first.run_id, page: first.next_page }));
    expect(second.next_page).toBeUndefined();
    expect(first.output + second.result.output).toBe(whole);
  });

  it('the paging fields are in clinvk_prompt\'s outputSchema, and absent from an answer that fits', async () => {
    const client = await connect(fakeRuntime(() => ({ chunks: ['short'] })), { pageTokens: 1000 });
    const tool = (await client.listTools()).tools.find((t) => t.name === 'clinvk_prompt')!;
    expect(Object.keys(tool.outputSchema!.properties!)).toEqual(expect.arrayContaining(['run_id', 'page', 'pages', 'next_page']));
    const r = data(await call(client, 'clinvk_prompt', { prompt: 'small' }));
    expect(r.output).toBe('short');
    expect(r.run_id).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });
});

describe('heartbeats', () => {
  it('a silent run sends progress while it works, so a client with a short timeout keeps waiting', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    setTimeout(() => release(), 1500);
    const client = await connect(fakeRuntime(() => ({ chunks: ['done at last'], gate })), { heartbeatMs: 200 });
    const beats: string[] = [];
    const r = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'quiet' } }, undefined, {
      timeout: 700,
      resetTimeoutOnProgress: true,
      onprogress: (p) => beats.push(p.message ?? ''),
    })) as CallToolResult;
    expect(text(r)).toBe('done at last');
    expect(beats.filter((b) => b === '(still working)').length).toBeGreaterThan(2);
  });
});
