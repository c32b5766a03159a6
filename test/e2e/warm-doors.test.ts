// Every door over warm agents: a 3-turn OpenAI chat, an Anthropic chat, a Responses chain and an MCP
// session_id continue each reach ONE live fake claude (asserted from the fake's log), with the same
// answers as the cold runs the other e2e tests check.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunner, type Runner } from '../workerd/runner.ts';
import { alive, fakeLog } from './cli-helpers.ts';

let server: Runner;
let log: string;

beforeAll(async () => {
  log = join(mkdtempSync(join(tmpdir(), 'warm-doors-')), 'fake.log');
  server = await startRunner({ env: { FAKE_LOG: log }, warm: true });
}, 60_000);
afterAll(async () => {
  const pids = fakeLog(log).map((e) => e.pid);
  await server?.close();
  // Shutdown kills every live agent's process group.
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(pids.filter(alive)).toEqual([]);
});

/** The pids that served the turns since `mark` (the log length before), and how many processes started. */
function since(mark: number) {
  const entries = fakeLog(log).slice(mark);
  return { turns: entries.filter((e) => e.phase === 'turn').map((e) => e.pid), starts: entries.filter((e) => e.phase === 'start').length };
}

const openai = () => new OpenAI({ apiKey: 'x', baseURL: `${server.url}/openai/v1`, maxRetries: 0 });

describe('doors over warm agents', () => {
  it('OpenAI chat: 3 turns, one live process', async () => {
    const mark = fakeLog(log).length;
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'turn one' }];
    const answers: string[] = [];
    for (const next of ['turn two', 'turn three', undefined]) {
      const r = await openai().chat.completions.create({ model: 'claude', messages });
      answers.push(r.choices[0]!.message.content!);
      expect(r.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9 });
      if (next) messages.push({ role: 'assistant', content: answers.at(-1)! }, { role: 'user', content: next });
    }
    expect(answers).toEqual(['Hello from fake claude (turn 1): turn one', 'Hello from fake claude (turn 2): turn two', 'Hello from fake claude (turn 3): turn three']);
    const { turns, starts } = since(mark);
    expect(turns).toHaveLength(3);
    expect(new Set(turns).size).toBe(1);
    expect(starts).toBe(1);
  });

  it('Anthropic chat (streamed): 2 turns, one live process', async () => {
    const mark = fakeLog(log).length;
    const client = new Anthropic({ apiKey: 'x', baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'hi' }];
    const first = await client.messages.stream({ model: 'claude', max_tokens: 100, messages }).finalMessage();
    expect(first.content).toEqual([{ type: 'text', text: 'Hello from fake claude (turn 1): hi' }]);
    messages.push({ role: 'assistant', content: (first.content[0] as Anthropic.TextBlock).text }, { role: 'user', content: 'more' });
    const second = await client.messages.create({ model: 'claude', max_tokens: 100, messages });
    expect(second.content).toEqual([{ type: 'text', text: 'Hello from fake claude (turn 2): more' }]);
    expect(new Set(since(mark).turns).size).toBe(1);
    expect(since(mark).turns).toHaveLength(2);
  });

  it('Responses: a previous_response_id chain of 3, one live process', async () => {
    const mark = fakeLog(log).length;
    let prev: string | undefined;
    const texts: string[] = [];
    for (const input of ['r1', 'r2', 'r3']) {
      const r: OpenAI.Responses.Response = await openai().responses.create({ model: 'claude', input, ...(prev ? { previous_response_id: prev } : {}) });
      texts.push(r.output_text);
      prev = r.id;
    }
    expect(texts).toEqual(['Hello from fake claude (turn 1): r1', 'Hello from fake claude (turn 2): r2', 'Hello from fake claude (turn 3): r3']);
    expect(new Set(since(mark).turns).size).toBe(1);
  });

  it('MCP over /mcp: clinvk_prompt then session_id continues on the same live process', async () => {
    const mark = fakeLog(log).length;
    const client = new Client({ name: 'warm-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    try {
      const a = (await client.callTool({ name: 'clinvk_prompt', arguments: { backend: 'claude', prompt: 'm1' } })) as CallToolResult;
      const sid = (a.structuredContent as { session_id: string }).session_id;
      const b = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'm2', session_id: sid } })) as CallToolResult;
      expect(b.content[0]).toEqual({ type: 'text', text: 'Hello from fake claude (turn 2): m2' });
      expect((b.structuredContent as { session_id: string }).session_id).toBe(sid);
      const backends = (await client.callTool({ name: 'clinvk_backends', arguments: {} })) as CallToolResult;
      expect(JSON.stringify(backends.structuredContent)).toMatch(/"name":"claude"[^}]*"warm":true/);
    } finally {
      await client.close();
    }
    expect(since(mark).turns).toHaveLength(2);
    expect(new Set(since(mark).turns).size).toBe(1);
  });

  it('GET /health and /api/v1/backends show the live agents and which backends run warm', async () => {
    const health = (await (await fetch(`${server.url}/health`)).json()) as { warm: { enabled: boolean; agents: { pid: number; backend: string; rss_bytes?: number }[]; rss_bytes: number } };
    expect(health.warm.enabled).toBe(true);
    expect(health.warm.agents.length).toBeGreaterThanOrEqual(1); // up to 4 (one per chat above), fewer when free memory caps the pool
    expect(health.warm.agents.every((a) => a.backend === 'claude' && alive(a.pid))).toBe(true);
    expect(health.warm.rss_bytes).toBeGreaterThan(0);
    const backends = (await (await fetch(`${server.url}/api/v1/backends`)).json()) as { backends: { name: string; warm?: boolean }[] };
    expect(backends.backends.find((b) => b.name === 'claude')!.warm).toBe(true);
  });

  it('a client that disconnects mid-turn interrupts it: the agent is idle again, not killed', async () => {
    const mark = fakeLog(log).length;
    const ac = new AbortController();
    const res = await fetch(`${server.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'wait [fake:hang]' }] }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    while (since(mark).turns.length === 0) await new Promise((r) => setTimeout(r, 20));
    const pid = since(mark).turns[0]!;
    ac.abort();
    type Health = { warm: { agents: { pid: number; state: string }[] } };
    const stateOf = async () => ((await (await fetch(`${server.url}/health`)).json()) as Health).warm.agents.find((a) => a.pid === pid)?.state;
    const deadline = Date.now() + 5000;
    while ((await stateOf()) !== 'idle' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await stateOf()).toBe('idle');
    expect(alive(pid)).toBe(true);
  });
});
