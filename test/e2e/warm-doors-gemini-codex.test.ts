// The doors over warm gemini (--acp) and codex (app-server) agents: a 3-turn OpenAI chat (streamed), a
// Responses chain, a 3-turn Anthropic chat and an MCP session_id continue over /mcp each reach ONE live
// fake process (asserted from the fake's log), with the answers and session records of the same chat on a
// cold server. Warm codex streams the answer in more chunks than
// cold, so the joined text is compared, not the chunks.
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

type Log = ReturnType<typeof fakeLog>;
const servers: Record<'warm' | 'cold', { runner: Runner; log: string }> = {} as never;

beforeAll(async () => {
  for (const kind of ['warm', 'cold'] as const) {
    const log = join(mkdtempSync(join(tmpdir(), `warm-doors-gc-${kind}-`)), 'fake.log');
    servers[kind] = { log, runner: await startRunner({ env: { FAKE_LOG: log }, warm: kind === 'warm', mcp: true }) };
  }
}, 60_000);
afterAll(async () => {
  for (const { runner, log } of Object.values(servers)) {
    const pids = fakeLog(log).map((e) => e.pid);
    await runner?.close();
    // Shutdown kills every live agent's process group (gemini's grace after stdin EOF is up to 5 s).
    const deadline = Date.now() + 8000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
  }
}, 20_000);

const client = (kind: 'warm' | 'cold') => new OpenAI({ apiKey: 'x', baseURL: `${servers[kind].runner.url}/openai/v1`, maxRetries: 0 });
const since = (kind: 'warm' | 'cold', mark: number): Log => fakeLog(servers[kind].log).slice(mark);
const turnsOf = (entries: Log) => entries.filter((e) => e.phase === 'turn').map((e) => e.pid);
const startsOf = (entries: Log) => entries.filter((e) => e.phase === 'start');

/** A streamed 3-turn chat; the answers (joined chunks), the chunk counts and the session the server recorded. */
async function chat(kind: 'warm' | 'cold', backend: string) {
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'turn one' }];
  const answers: string[] = [];
  for (const next of ['turn two', 'turn three', undefined]) {
    const stream = await client(kind).chat.completions.create({ model: backend, messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    answers.push(text);
    if (next) messages.push({ role: 'assistant', content: text }, { role: 'user', content: next });
  }
  return { answers, session: await newestSession(kind, backend) };
}

type SessionRecord = { id: string; turn_count: number; status: string; backend_session_id?: string; token_usage: Record<string, number> };
async function newestSession(kind: 'warm' | 'cold', backend: string): Promise<SessionRecord> {
  const res = await fetch(`${servers[kind].runner.url}/api/v1/sessions?backend=${backend}&limit=1`);
  return ((await res.json()) as { sessions: SessionRecord[] }).sessions[0]!;
}

/** A 3-turn Anthropic chat (the first turn streamed, the others not) and the session the server recorded. */
async function anthropicChat(kind: 'warm' | 'cold', backend: string) {
  const client = new Anthropic({ apiKey: 'x', baseURL: `${servers[kind].runner.url}/anthropic`, maxRetries: 0 });
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'a1' }];
  const answers: string[] = [];
  for (const next of ['a2', 'a3', undefined]) {
    const body = { model: backend, max_tokens: 100, system: 'be brief', messages };
    const msg = answers.length === 0 ? await client.messages.stream(body).finalMessage() : await client.messages.create(body);
    const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    answers.push(text);
    if (next) messages.push({ role: 'assistant', content: text }, { role: 'user', content: next });
  }
  return { answers, session: await newestSession(kind, backend) };
}

/** clinvk_prompt over /mcp, then two session_id continues: the texts, session ids, and the session record. */
async function mcpContinue(kind: 'warm' | 'cold', backend: string) {
  const client = new Client({ name: 'warm-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${servers[kind].runner.url}/mcp`)));
  const texts: string[] = [];
  const ids: string[] = [];
  try {
    for (const prompt of ['m1', 'm2', 'm3']) {
      const args = ids.length === 0 ? { backend, prompt } : { prompt, session_id: ids[0] };
      const r = (await client.callTool({ name: 'clinvk_prompt', arguments: args })) as CallToolResult;
      expect(r.isError).toBeFalsy();
      texts.push((r.content[0] as { text: string }).text);
      ids.push((r.structuredContent as { session_id: string }).session_id);
    }
  } finally {
    await client.close();
  }
  return { texts, ids, session: await newestSession(kind, backend) };
}

/** The record fields a warm turn must leave as a cold one does (gemini's token totals differ: README). */
function sameRecord(backend: string, warm: SessionRecord, cold: SessionRecord) {
  expect(warm).toMatchObject({ turn_count: 3, status: 'completed', backend_session_id: expect.any(String) });
  expect(cold).toMatchObject({ turn_count: 3, status: 'completed', backend_session_id: expect.any(String) });
  if (backend === 'codex') expect(warm.token_usage).toEqual(cold.token_usage);
}

/** One live process served the 3 turns since `mark`, and started once. */
function oneLiveProcess(mark: number) {
  const w = since('warm', mark);
  expect(turnsOf(w)).toHaveLength(3);
  expect(new Set(turnsOf(w)).size).toBe(1);
  expect(startsOf(w)).toHaveLength(1);
}

describe.each(['gemini', 'codex'] as const)('doors over warm %s agents', (backend) => {
  it('OpenAI chat (streamed): 3 turns on one live process, the answers and record of a cold server', async () => {
    const mark = { warm: fakeLog(servers.warm.log).length, cold: fakeLog(servers.cold.log).length };
    const warm = await chat('warm', backend);
    const cold = await chat('cold', backend);
    expect(warm.answers).toEqual(cold.answers);
    expect(warm.answers).toEqual([1, 2, 3].map((n) => expect.stringMatching(new RegExp(`^Hello from fake ${backend} \\(turn ${n}\\): ${n === 1 ? 'be brief\\n\\n' : ''}turn ${['one', 'two', 'three'][n - 1]}$`))));
    const w = since('warm', mark.warm);
    expect(turnsOf(w)).toHaveLength(3);
    expect(new Set(turnsOf(w)).size).toBe(1);
    expect(startsOf(w)).toHaveLength(1);
    expect(startsOf(since('cold', mark.cold))).toHaveLength(3);
    expect(warm.session).toMatchObject({ turn_count: 3, status: 'completed', backend_session_id: expect.any(String) });
    expect(cold.session).toMatchObject({ turn_count: 3, status: 'completed' });
    // gemini: ACP reports no cached tokens, so only codex's totals match cold ones (README).
    if (backend === 'codex') expect(warm.session.token_usage).toEqual(cold.session.token_usage);
  });

  it('Responses: a previous_response_id chain of 3, one live process, the texts of a cold server', async () => {
    const texts: Record<'warm' | 'cold', string[]> = { warm: [], cold: [] };
    const mark = fakeLog(servers.warm.log).length;
    for (const kind of ['warm', 'cold'] as const) {
      let prev: string | undefined;
      for (const input of ['r1', 'r2', 'r3']) {
        const r: OpenAI.Responses.Response = await client(kind).responses.create({ model: backend, input, ...(prev ? { previous_response_id: prev } : {}) });
        texts[kind].push(r.output_text);
        prev = r.id;
      }
    }
    expect(texts.warm).toEqual(texts.cold);
    expect(texts.warm[2]).toMatch(new RegExp(`^Hello from fake ${backend} \\(turn 3\\): r3`));
    expect(turnsOf(since('warm', mark))).toHaveLength(3);
    expect(new Set(turnsOf(since('warm', mark))).size).toBe(1);
  });

  it('Anthropic chat: 3 turns on one live process, the answers and record of a cold server', async () => {
    const mark = { warm: fakeLog(servers.warm.log).length, cold: fakeLog(servers.cold.log).length };
    const warm = await anthropicChat('warm', backend);
    const cold = await anthropicChat('cold', backend);
    expect(warm.answers).toEqual(cold.answers);
    expect(warm.answers[0]).toMatch(new RegExp(`^Hello from fake ${backend} \\(turn 1\\): be brief\\n\\na1$`));
    expect(warm.answers.slice(1)).toEqual([`Hello from fake ${backend} (turn 2): a2`, `Hello from fake ${backend} (turn 3): a3`]);
    oneLiveProcess(mark.warm);
    expect(startsOf(since('cold', mark.cold))).toHaveLength(3);
    sameRecord(backend, warm.session, cold.session);
  });

  it('MCP over /mcp: clinvk_prompt then two session_id continues on one live process, as on a cold server', async () => {
    const mark = { warm: fakeLog(servers.warm.log).length, cold: fakeLog(servers.cold.log).length };
    const warm = await mcpContinue('warm', backend);
    const cold = await mcpContinue('cold', backend);
    expect(warm.texts).toEqual(cold.texts);
    expect(warm.texts).toEqual(['m1', 'm2', 'm3'].map((m, i) => `Hello from fake ${backend} (turn ${i + 1}): ${m}`));
    expect(new Set(warm.ids).size).toBe(1);
    expect(warm.session.id).toBe(warm.ids[0]);
    oneLiveProcess(mark.warm);
    expect(startsOf(since('cold', mark.cold))).toHaveLength(3);
    sameRecord(backend, warm.session, cold.session);
  });

  it('GET /api/v1/backends says the backend runs warm', async () => {
    const r = (await (await fetch(`${servers.warm.runner.url}/api/v1/backends`)).json()) as { backends: { name: string; warm?: boolean }[] };
    expect(r.backends.find((b) => b.name === backend)!.warm).toBe(true);
  });
});
