// The caller's own tools through /anthropic/v1/messages, with the official @anthropic-ai/sdk against a
// live server driving the fake CLIs (which call the per-run MCP bridge on request).
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToolRunner, type ToolRunner } from './client-tools-runner.ts';

let server: ToolRunner;
beforeAll(async () => {
  server = await startToolRunner();
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const client = () => new Anthropic({ apiKey: 'sk-test', baseURL: `${server.url}/anthropic`, maxRetries: 0 });
const TOOLS: Anthropic.Tool[] = [
  { name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  { name: 'get_time', description: 'Time in a zone', input_schema: { type: 'object', properties: { tz: { type: 'string' } } } },
];
const ASK = 'Weather and time? [[fake:call get_weather {"city":"Oslo"}]] [[fake:call get_time {"tz":"CET"}]]';

/** The caller's side: get_weather works, get_time fails (is_error → the agent gets an MCP error). */
const run = (b: Anthropic.ToolUseBlock): Anthropic.ToolResultBlockParam =>
  b.name === 'get_weather'
    ? { type: 'tool_result', tool_use_id: b.id, content: `snow in ${(b.input as { city: string }).city}` }
    : { type: 'tool_result', tool_use_id: b.id, content: [{ type: 'text', text: 'clock unavailable' }], is_error: true };

describe.each(['claude', 'codex', 'gemini'])('Anthropic SDK tool-use loop on %s', (backend) => {
  it('tool_use blocks + stop_reason tool_use, then tool_result blocks get the final answer', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: ASK }];
    const first = await client().messages.create({ model: backend, max_tokens: 1024, messages, tools: TOOLS });
    expect(first.stop_reason).toBe('tool_use');
    const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(uses.map((u) => u.name).sort()).toEqual(['get_time', 'get_weather']);
    expect(uses.find((u) => u.name === 'get_weather')!.input).toEqual({ city: 'Oslo' });
    messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: uses.map(run) });
    const second = await client().messages.create({ model: backend, max_tokens: 1024, messages, tools: TOOLS });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: `Fake ${backend} used its tools: get_weather said: snow in Oslo; get_time failed: clock unavailable` }]);
  });

  it('streamed: the SDK assembles the tool_use blocks from input_json_delta, the continuation streams the answer', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: ASK }];
    const first = await client().messages.stream({ model: backend, max_tokens: 1024, messages, tools: TOOLS }).finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(uses).toHaveLength(2);
    expect(uses.find((u) => u.name === 'get_time')!.input).toEqual({ tz: 'CET' });
    messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: uses.map(run) });
    const final = await client().messages.stream({ model: backend, max_tokens: 1024, messages, tools: TOOLS }).finalMessage();
    expect(final.stop_reason).toBe('end_turn');
    expect(final.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/get_weather said: snow in Oslo; get_time failed: clock unavailable$/) });
  });
});

describe('Anthropic errors', () => {
  it('a tool_result for an unknown tool_use_id is a 400 invalid_request_error', async () => {
    const err = await client()
      .messages.create({
        model: 'claude', max_tokens: 10, tools: TOOLS,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_nope', name: 'get_time', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_nope', content: '1' }] },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toMatch(/no agent is waiting for the tool call .*toolu_nope/);
  });

  it('tool_choice any with an agent that does not call: an error; a bad tool name: a 400; a server tool alone: ignored', async () => {
    const err = await client().messages.create({ model: 'claude', max_tokens: 10, tools: TOOLS, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'talk' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as Error).message).toMatch(/tool_choice required the agent to call a tool/);
    const bad = await client()
      .messages.create({ model: 'claude', max_tokens: 10, tools: [{ name: 'bad name', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    const plain = await client().messages.create({ model: 'claude', max_tokens: 10, tools: [{ type: 'web_search_20250305', name: 'web_search' } as unknown as Anthropic.Tool], messages: [{ role: 'user', content: 'x' }] });
    expect(plain.content).toEqual([{ type: 'text', text: 'Hello from fake claude (turn 1): x' }]);
  });
});
