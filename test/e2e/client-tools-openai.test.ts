// The caller's own function tools through /openai/v1/chat/completions, with the official openai SDK
// against a live server driving the fake CLIs (which call the per-run MCP bridge on request).
import { existsSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive } from '../fixtures/proc.ts';
import { startToolRunner, type ToolRunner } from './client-tools-runner.ts';

let server: ToolRunner;
beforeAll(async () => {
  server = await startToolRunner();
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/openai/v1`, maxRetries: 0 });

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'get_time', description: 'Time in a zone', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
];
/** Asks the fake agent for two parallel calls, one to each tool. */
const ASK = 'What is the weather and time? [[fake:call get_weather {"city":"Paris"}]] [[fake:call get_time {"tz":"CET"}]]';

/** The caller's side: get_weather works, get_time fails. */
function runTool(call: OpenAI.ChatCompletionMessageToolCall): { content: string; is_error?: boolean } {
  if (call.type !== 'function') throw new Error('not a function call');
  const args = JSON.parse(call.function.arguments) as Record<string, string>;
  if (call.function.name === 'get_weather') return { content: `21C and sunny in ${args.city}` };
  return { content: `no clock for ${args.tz}`, is_error: true };
}

describe.each(['claude', 'codex', 'gemini'])('OpenAI SDK function-calling loop on %s', (backend) => {
  it('two tools called in parallel, one failing, then the final answer', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: ASK }];
    const first = await client().chat.completions.create({ model: backend, messages, tools: TOOLS });
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const calls = first.choices[0]!.message.tool_calls ?? [];
    expect(calls.map((c) => c.type === 'function' && c.function.name).sort()).toEqual(['get_time', 'get_weather']);
    messages.push(first.choices[0]!.message);
    // `is_error` is clinvk's extension (OpenAI has none): the agent gets that result as an MCP error.
    for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, ...runTool(call) } as OpenAI.ChatCompletionToolMessageParam);
    const second = await client().chat.completions.create({ model: backend, messages, tools: TOOLS });
    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(second.choices[0]!.message.content).toBe(`Fake ${backend} used its tools: get_weather said: 21C and sunny in Paris; get_time failed: no clock for CET`);
  });

  it('streamed: the SDK accumulates the tool calls, and the continuation streams the answer', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: ASK }];
    const stream = client().chat.completions.stream({ model: backend, messages, tools: TOOLS });
    const first = await stream.finalChatCompletion();
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const calls = first.choices[0]!.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    expect(calls.find((c) => c.type === 'function' && c.function.name === 'get_weather')).toMatchObject({ function: { arguments: '{"city":"Paris"}' } });
    messages.push(first.choices[0]!.message);
    for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: runTool(call).content });
    const final = await client().chat.completions.stream({ model: backend, messages, tools: TOOLS }).finalContent();
    expect(final).toBe(`Fake ${backend} used its tools: get_weather said: 21C and sunny in Paris; get_time said: no clock for CET`);
  });
});

describe('OpenAI SDK runTools helper', () => {
  it('runs the whole loop itself (parsing arguments, calling the functions, sending results)', async () => {
    const seen: string[] = [];
    const runner = client().chat.completions.runTools({
      model: 'claude',
      messages: [{ role: 'user', content: ASK }],
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, parse: JSON.parse, function: (a: { city: string }) => (seen.push('weather'), `cloudy in ${a.city}`) } },
        { type: 'function', function: { name: 'get_time', description: 'Time in a zone', parameters: { type: 'object', properties: {} }, parse: JSON.parse, function: () => (seen.push('time'), 'Error: clock broken') } },
      ],
    });
    const answer = await runner.finalContent();
    expect(seen.sort()).toEqual(['time', 'weather']);
    expect(answer).toMatch(/^Fake claude used its tools: get_weather said: cloudy in Paris; get_time said: Error: clock broken$/);
  });
});

describe('tool results the server cannot match, and tool_choice', () => {
  it('a result for a call nobody waits on is a 400 in OpenAI\'s format', async () => {
    const err = await client()
      .chat.completions.create({
        model: 'claude',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_nope', type: 'function', function: { name: 'get_time', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_nope', content: '12:00' },
        ],
        tools: TOOLS,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/no agent is waiting for the tool call "call_nope"/);
  });

  it('tool_choice required: an agent that answers without calling a tool is an error, not a silent answer', async () => {
    const err = await client().chat.completions.create({ model: 'codex', messages: [{ role: 'user', content: 'just talk' }], tools: TOOLS, tool_choice: 'required' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toMatch(/tool_choice required the agent to call a tool/);
    // The agent was told: the note is in the prompt it got.
    const start = server.entries().filter((e) => e.cli === 'codex' && e.phase === 'start').at(-1)!;
    expect(start.argv.at(-1)).toMatch(/you must call at least one tool of the "client" MCP server/);
  });

  it('a named tool_choice that is not a tool is a 400; an unknown tool type is a 400', async () => {
    const ask = (extra: object) => client().chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'x' }], tools: TOOLS, ...extra }).catch((e: unknown) => e);
    expect(await ask({ tool_choice: { type: 'function', function: { name: 'nope' } } })).toBeInstanceOf(OpenAI.BadRequestError);
    expect(await ask({ tools: [{ type: 'custom', custom: { name: 'x' } }] })).toBeInstanceOf(OpenAI.BadRequestError);
    expect(await ask({ tools: [{ type: 'function', function: { name: 'bad name!' } }] })).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('gemini: a per-run home whose settings add the server (removed after the run); builtin_tools false also narrows its tools and servers', async () => {
    const r = await client().chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'hello' }], tools: TOOLS, clinvk: { builtin_tools: false } } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(r.choices[0]!.message.content).toMatch(/^Hello from fake gemini/);
    const start = server.entries().filter((e) => e.cli === 'gemini' && e.phase === 'start').at(-1)! as unknown as { argv: string[]; geminiHome: string; settings: { mcpServers: Record<string, { httpUrl: string; trust: boolean }>; tools: unknown } };
    expect(start.argv).toEqual(expect.arrayContaining(['--allowed-mcp-server-names', 'client']));
    expect(start.settings.mcpServers.client).toMatchObject({ httpUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//), trust: true });
    expect(start.settings.tools).toEqual({ core: [] });
    expect(existsSync(start.geminiHome)).toBe(false);
  });

  it('builtin_tools false: claude gets only the client\'s tools (--tools "" --strict-mcp-config)', async () => {
    const r = await client().chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hello' }], tools: TOOLS, clinvk: { builtin_tools: false } } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(r.choices[0]!.message.content).toMatch(/^Hello from fake claude/);
    const argv = server.entries().filter((e) => e.cli === 'claude' && e.phase === 'start').at(-1)!.argv;
    expect(argv).toEqual(expect.arrayContaining(['--strict-mcp-config', '--tools', '', '--mcp-config']));
    expect(argv[argv.indexOf('--allowedTools') + 1]).toBe('mcp__client');
  });
});

describe('a caller that never sends the results', () => {
  it('the wait ends after server.tool_result_timeout_secs: the agent is stopped, its process gone, a late result is a 400', async () => {
    // FAKE_HANG: after its tool call the fake never finishes by itself, so only clinvk stopping it ends it.
    const short = await startToolRunner({ configure: (c) => (c.server.tool_result_timeout_secs = 1), env: { FAKE_HANG: '1' } });
    try {
      const api = new OpenAI({ apiKey: 'sk-test', baseURL: `${short.url}/openai/v1`, maxRetries: 0 });
      const first = await api.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: ASK }], tools: TOOLS });
      expect(first.choices[0]!.finish_reason).toBe('tool_calls');
      const pid = short.entries().find((e) => e.phase === 'start')!.pid;
      expect(alive(pid)).toBe(true);
      await expect.poll(() => alive(pid), { timeout: 10_000, interval: 100 }).toBe(false);
      const calls = first.choices[0]!.message.tool_calls!;
      const late = await api.chat.completions
        .create({ model: 'claude', messages: [{ role: 'user', content: ASK }, first.choices[0]!.message, ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: 'late' }))], tools: TOOLS })
        .catch((e: unknown) => e);
      expect(late).toBeInstanceOf(OpenAI.BadRequestError);
      // The run's session records why it ended.
      const session = async () => ((await (await fetch(`${short.url}/api/v1/sessions`, { headers: { authorization: 'Bearer sk-test' } })).json()) as { sessions: { status: string; error_message?: string }[] }).sessions[0];
      await expect.poll(session, { timeout: 5000 }).toMatchObject({ status: 'error', error_message: expect.stringMatching(/no result for its tool/) });
    } finally {
      await short.close();
    }
  }, 30_000);
});
