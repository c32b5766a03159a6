// Structured output and reasoning effort through every door, with the official clients: openai's
// chat.completions.parse() with zodResponseFormat and responses.parse() with zodTextFormat,
// @anthropic-ai/sdk's messages.parse() with zodOutputFormat, REST, MCP over HTTP, and the built CLI,
// against a live server (live agents on, as `clinvk serve` has them) driving the fake CLIs.
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import OpenAI from 'openai';
import { zodResponseFormat, zodTextFormat } from 'openai/helpers/zod';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startRunner, type Runner } from '../workerd/runner.ts';
import { clinvk, ensureBuilt, fakeLog, sandbox } from './cli-helpers.ts';

const City = z.object({ city: z.string(), population: z.number().int(), tags: z.array(z.string()) });
const EXPECTED = { city: 'fake', population: 42, tags: ['fake'] };
const BACKENDS = ['claude', 'codex', 'gemini'] as const;

let server: Runner;
let log: string;
beforeAll(async () => {
  log = join(mkdtempSync(join(tmpdir(), 'structured-log-')), 'fake.log');
  server = await startRunner({ apiKeys: ['sk-test'], env: { FAKE_LOG: log, FAKE_CHUNK_DELAY_MS: '0' }, warm: true });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/openai/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'sk-test', baseURL: `${server.url}/anthropic`, maxRetries: 0 });
const ask = (model: string, content: string) => openai().chat.completions.parse({ model, messages: [{ role: 'user', content }], response_format: zodResponseFormat(City, 'city') });
const logSince = (n: number) => fakeLog(log).slice(n);

describe('OpenAI SDK: chat.completions.parse with zodResponseFormat', () => {
  it.each(BACKENDS)('%s returns a parsed object', async (backend) => {
    const r = await ask(backend, 'Describe a city');
    expect(r.choices[0]!.message.parsed).toEqual(EXPECTED);
    expect(JSON.parse(r.choices[0]!.message.content!)).toEqual(EXPECTED);
  });

  it.each(BACKENDS)('%s: the repair turn fixes a wrong first answer', async (backend) => {
    const r = await ask(backend, 'Describe a city [fake:json-wrong-first]');
    expect(r.choices[0]!.message.parsed).toEqual(EXPECTED);
    expect((r as unknown as { clinvk: { warnings: string[] } }).clinvk.warnings.join()).toContain('was asked once to fix it');
  });

  it.each(BACKENDS)('%s: a second wrong answer is a clear error', async (backend) => {
    const err = (await ask(backend, 'Describe a city [fake:json-wrong-always]').catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('output_schema_mismatch');
    expect(err.message).toContain('the answer does not match the output schema, even after one repair turn: (root) must be object');
  });

  it('json_object asks for any JSON object; a schema that is not a JSON Schema is a 400 and starts nothing', async () => {
    const r = await openai().chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'an object [fake:json-fenced]' }], response_format: { type: 'json_object' } });
    expect(JSON.parse(r.choices[0]!.message.content!)).toEqual({});
    const before = fakeLog(log).length;
    const bad = { type: 'json_schema' as const, json_schema: { name: 'x', schema: { type: 'objekt' } } };
    const err = (await openai().chat.completions.create({ model: 'codex', messages: [{ role: 'user', content: 'x' }], response_format: bad }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain('the output schema is not a valid JSON Schema: schema/type must be equal to one of the allowed values');
    // No process started and no turn sent. `end` lines are left out: an agent that an earlier test's
    // conversation left may be evicted or retired right now, and its end is logged whenever it exits.
    expect(logSince(before).filter((l) => l.phase !== 'end')).toEqual([]);
  });

  it('reasoning_effort reaches each backend (gemini: a warning)', async () => {
    const before = fakeLog(log).length;
    for (const model of BACKENDS) await openai().chat.completions.create({ model, messages: [{ role: 'user', content: `think hard ${model}` }], reasoning_effort: 'high' });
    const lines = logSince(before) as unknown as { cli: string; phase: string; argv: string[]; effort?: string }[];
    expect(lines.some((l) => l.cli === 'claude' && l.argv.join(' ').includes('--effort high'))).toBe(true);
    // codex's live agent takes it per turn (turn/start effort); a cold codex as -c model_reasoning_effort.
    expect(lines.some((l) => l.cli === 'codex' && (l.effort === 'high' || l.argv.includes('model_reasoning_effort="high"')))).toBe(true);
    const g = await openai().chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'think' }], reasoning_effort: 'xhigh' });
    expect((g as unknown as { clinvk: { warnings: string[] } }).clinvk.warnings).toContain('gemini has no reasoning effort setting; effort "max" was ignored');
  });
});

describe('OpenAI SDK: responses.parse with zodTextFormat', () => {
  it('returns output_parsed, and reasoning.effort reaches codex', async () => {
    const r = await openai().responses.parse({ model: 'codex', input: 'Describe a city', text: { format: zodTextFormat(City, 'city') }, reasoning: { effort: 'low' } });
    expect(r.output_parsed).toEqual(EXPECTED);
  });
});

describe('Anthropic SDK: messages.parse with zodOutputFormat', () => {
  it.each(BACKENDS)('%s returns parsed_output', async (backend) => {
    const r = await anthropic().messages.parse({ model: backend, max_tokens: 1024, messages: [{ role: 'user', content: 'Describe a city [fake:json-wrong-first]' }], output_config: { format: zodOutputFormat(City) } });
    expect(r.parsed_output).toEqual(EXPECTED);
  });

  it('thinking budget_tokens maps to an effort; a bad schema is a 400 in Anthropic\'s format', async () => {
    const before = fakeLog(log).length;
    await anthropic().messages.create({ model: 'claude', max_tokens: 16_000, messages: [{ role: 'user', content: 'think it through' }], thinking: { type: 'enabled', budget_tokens: 8_000 } });
    expect((logSince(before) as unknown as { argv: string[] }[]).some((l) => l.argv.join(' ').includes('--effort medium'))).toBe(true);
    const err = (await anthropic()
      .messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_schema', schema: { type: 'object', required: 'name' } } } })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toContain('the output schema is not a valid JSON Schema: schema/required must be array');
  });
});

describe('REST and MCP', () => {
  const post = (body: object) => fetch(`${server.url}/api/v1/prompt`, { method: 'POST', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('REST output_schema and effort; a bad schema is a 400 problem', async () => {
    const r = await post({ backend: 'gemini', prompt: 'Describe a city [fake:json-fenced]', output_schema: z.toJSONSchema(City), effort: 'medium' });
    const body = (await r.json()) as { output: string; warnings: string[] };
    expect(JSON.parse(body.output)).toEqual(EXPECTED);
    const cmp = await fetch(`${server.url}/api/v1/compare`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Describe a city', backends: ['claude', 'codex'], output_schema: z.toJSONSchema(City), effort: 'low' }),
    });
    const compared = (await cmp.json()) as { results: { output: string }[] };
    expect(compared.results.map((x) => JSON.parse(x.output))).toEqual([EXPECTED, EXPECTED]);
    const bad = await post({ backend: 'gemini', prompt: 'x', output_schema: { type: 12 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toContain('the output schema is not a valid JSON Schema');
  });

  it('MCP clinvk_prompt with output_schema answers the JSON; a bad schema is a tool error', async () => {
    const client = new Client({ name: 'structured', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: 'Bearer sk-test' } } }));
    const r = (await client.callTool({ name: 'clinvk_prompt', arguments: { backend: 'claude', prompt: 'Describe a city', output_schema: z.toJSONSchema(City), effort: 'max' } })) as CallToolResult;
    expect(JSON.parse((r.content[0] as { text: string }).text)).toEqual(EXPECTED);
    // compare (parallel and chain take the same task fields): each backend's answer is that JSON.
    const cmp = (await client.callTool({ name: 'clinvk_compare', arguments: { backends: ['claude', 'codex'], prompt: 'Describe a city', output_schema: z.toJSONSchema(City), effort: 'low' } })) as CallToolResult;
    expect((cmp.structuredContent as { results: { output: string }[] }).results.map((x) => JSON.parse(x.output))).toEqual([EXPECTED, EXPECTED]);
    const bad = (await client.callTool({ name: 'clinvk_prompt', arguments: { backend: 'claude', prompt: 'x', output_schema: { type: 'objekt' } } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect((bad.content[0] as { text: string }).text).toContain('the output schema is not a valid JSON Schema');
    await client.close();
  });
});

describe('CLI', () => {
  beforeAll(() => ensureBuilt());

  it('--json-schema FILE|JSON and --effort; a bad schema exits 1 naming the problem', async () => {
    const { env, home } = sandbox();
    const file = join(home, 'city.json');
    writeFileSync(file, JSON.stringify(z.toJSONSchema(City)));
    const a = await clinvk(['-b', 'codex', '--json-schema', file, '--effort', 'max', '-o', 'text', 'Describe a city [fake:json-wrong-first]'], { env, cwd: home });
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual(EXPECTED);
    const b = await clinvk(['-b', 'claude', '--json-schema', '{"type":"array","items":{"type":"integer"}}', '-o', 'json', 'numbers'], { env, cwd: home });
    expect(JSON.parse((JSON.parse(b.stdout) as { content: string }).content)).toEqual([42]);
    const c = await clinvk(['-b', 'claude', '--json-schema', '{"type":"objekt"}', 'x'], { env, cwd: home });
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('the output schema is not a valid JSON Schema');
    const d = await clinvk(['-b', 'gemini', '--json-schema', 'missing.json', 'x'], { env, cwd: home });
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('--json-schema: cannot read missing.json (ENOENT)');
  });

  it('compare --json-schema --effort: every backend answers the same JSON shape, each given the effort', async () => {
    const { env, home } = sandbox();
    const file = join(home, 'city.json');
    writeFileSync(file, JSON.stringify(z.toJSONSchema(City)));
    const log = join(home, 'fake-calls.log');
    const r = await clinvk(['compare', '--backends', 'claude,codex', '--json-schema', file, '--effort', 'high', '--json', 'Describe a city'], { env: { ...env, FAKE_LOG: log }, cwd: home });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { results: { backend: string; output: string }[] };
    expect(out.results.map((x) => [x.backend, JSON.parse(x.output)])).toEqual([['claude', EXPECTED], ['codex', EXPECTED]]);
    const calls = fakeLog(log);
    const runOf = (cli: string) => calls.find((c) => c.cli === cli && c.argv.join(' ').includes('Describe a city'))!.argv.join(' ');
    expect(runOf('claude')).toContain('--effort high');
    expect(runOf('codex')).toContain('model_reasoning_effort="high"');
    const bad = await clinvk(['compare', '--backends', 'claude', '--json-schema', '{"type":"objekt"}', 'x'], { env, cwd: home });
    expect(bad.code).toBe(1);
    expect(bad.stderr + bad.stdout).toContain('the output schema is not a valid JSON Schema');
  });

  it('a parallel task file takes output_schema as an object or a file name', async () => {
    const { env, home } = sandbox();
    writeFileSync(join(home, 'city.json'), JSON.stringify(z.toJSONSchema(City)));
    const tasks = [
      { backend: 'claude', prompt: 'one', output_schema: 'city.json' },
      { backend: 'gemini', prompt: 'two', output_schema: { type: 'array', items: { type: 'boolean' } }, effort: 'low' },
    ];
    const r = await clinvk(['parallel', '--json', '-f', '-'], { env, cwd: home, input: JSON.stringify(tasks) });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { results: { output: string }[] };
    const outputs = out.results.map((x) => JSON.parse(x.output));
    expect(outputs).toEqual([EXPECTED, [true]]);
  });
});
