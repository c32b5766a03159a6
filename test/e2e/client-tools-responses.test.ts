// The caller's own `function` tools through /openai/v1/responses, with the official openai SDK against a
// live server driving the fake CLIs.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToolRunner, type ToolRunner } from './client-tools-runner.ts';

let server: ToolRunner;
beforeAll(async () => {
  server = await startToolRunner();
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/openai/v1`, maxRetries: 0 });
const TOOLS: OpenAI.Responses.FunctionTool[] = [
  { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false },
  { type: 'function', name: 'get_time', description: 'Time', parameters: { type: 'object', properties: {} }, strict: false },
];
const ASK = 'Weather and time? [[fake:call get_weather {"city":"Rome"}]] [[fake:call get_time {}]]';

const outputs = (r: OpenAI.Responses.Response): OpenAI.Responses.ResponseInputItem[] =>
  r.output
    .filter((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === 'function_call')
    .map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: c.name === 'get_weather' ? `hot in ${JSON.parse(c.arguments).city}` : 'no clock' }));

describe.each(['claude', 'codex'])('Responses API function tools on %s', (backend) => {
  it('function_call items, then function_call_output with previous_response_id gets the answer', async () => {
    const first = await client().responses.create({ model: backend, input: ASK, tools: TOOLS });
    const calls = first.output.filter((i) => i.type === 'function_call');
    expect(calls.map((c) => c.type === 'function_call' && c.name).sort()).toEqual(['get_time', 'get_weather']);
    const second = await client().responses.create({ model: backend, previous_response_id: first.id, input: outputs(first), tools: TOOLS });
    expect(second.output_text).toBe(`Fake ${backend} used its tools: get_weather said: hot in Rome; get_time said: no clock`);
  });

  it('streamed: the SDK assembles function_call items from the argument deltas', async () => {
    const first = await client().responses.stream({ model: backend, input: ASK, tools: TOOLS }).finalResponse();
    const weather = first.output.find((i) => i.type === 'function_call' && i.name === 'get_weather');
    expect(weather).toMatchObject({ arguments: '{"city":"Rome"}' });
    const final = await client().responses.stream({ model: backend, previous_response_id: first.id, input: outputs(first), tools: TOOLS }).finalResponse();
    expect(final.output_text).toMatch(/get_weather said: hot in Rome; get_time said: no clock$/);
  });
});

it('a function_call_output for an unknown call is a 400', async () => {
  const err = await client().responses.create({ model: 'claude', input: [{ type: 'function_call_output', call_id: 'call_nope', output: 'x' }], tools: TOOLS }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.BadRequestError);
});

it('tools that are not functions (web_search, custom: Codex as a client sends them) are left out; the function ones are still offered', async () => {
  const mixed = [{ type: 'web_search' }, { type: 'custom', name: 'apply_patch', description: 'patch' }, ...TOOLS] as unknown as OpenAI.Responses.Tool[];
  const plain = await client().responses.create({ model: 'claude', input: 'hello', tools: mixed });
  expect(plain.output_text).toMatch(/^Hello from fake claude/);
  const first = await client().responses.create({ model: 'claude', input: ASK, tools: mixed });
  expect(first.output.filter((i) => i.type === 'function_call')).toHaveLength(2);
});
