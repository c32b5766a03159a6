// The official OpenAI and Anthropic SDKs against a live server driving the fake CLIs.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunner, type Runner } from '../workerd/runner.ts';
import { alive, fakeLog } from './cli-helpers.ts';

let server: Runner;
let limited: Runner;
let log: string;

beforeAll(async () => {
  log = join(mkdtempSync(join(tmpdir(), 'compat-log-')), 'fake.log');
  server = await startRunner({ apiKeys: ['sk-test'], env: { FAKE_LOG: log } });
  limited = await startRunner({ apiKeys: ['sk-test'], env: { FAKE_FAIL: 'rate_limit' } });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await limited?.close();
});

const openai = (url = server.url, apiKey = 'sk-test') => new OpenAI({ apiKey, baseURL: `${url}/openai/v1`, maxRetries: 0 });
const anthropic = (url = server.url, apiKey = 'sk-test') => new Anthropic({ apiKey, baseURL: `${url}/anthropic`, maxRetries: 0 });

describe('OpenAI SDK against clinvk serve', () => {
  it('create, stream, models.list', async () => {
    const r = await openai().chat.completions.create({ model: 'codex', messages: [{ role: 'user', content: 'hello' }] });
    expect(r.choices[0]!.message.content).toBe('Hello from fake codex (turn 1): hello');
    expect(r.usage).toMatchObject({ prompt_tokens: 1200, completion_tokens: 30 });
    const stream = await openai().chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'stream' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      usage = c.usage ?? usage;
    }
    expect(text).toBe('Hello from fake claude (turn 1): stream');
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9 });
    const ids = [];
    for await (const m of openai().models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['claude', 'codex', 'gemini']));
  });

  it('typed errors: 401, 400, 404 unknown model, 429 from a backend usage limit', async () => {
    const ask = (client: OpenAI, extra: object = {}) => client.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'x' }], ...extra });
    await expect(ask(openai(server.url, 'wrong'))).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(ask(openai(), { n: 3 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(ask(openai(), { model: 'nope/x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const err = await ask(openai(limited.url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a 3-turn chat is one new run and two resumes carrying only the new user message', async () => {
    const before = fakeLog(log).filter((e) => e.phase === 'start').length;
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'turn one' }];
    for (const next of ['turn two', 'turn three']) {
      const r = await openai().chat.completions.create({ model: 'gemini', messages });
      messages.push({ role: 'assistant', content: r.choices[0]!.message.content! }, { role: 'user', content: next });
    }
    const last = await openai().chat.completions.create({ model: 'gemini', messages });
    expect(last.choices[0]!.message.content).toBe('Hello from fake gemini (turn 3): turn three');
    const runs = fakeLog(log).filter((e) => e.phase === 'start').slice(before).map((e) => e.argv);
    expect(runs).toHaveLength(3);
    expect(runs[0]).not.toContain('--resume');
    expect(runs[1]).toContain('--resume');
    expect(runs[1]!.at(-1)).toBe('--prompt=turn two');
    expect(runs[2]!.at(-1)).toBe('--prompt=turn three');
  });

  it('Responses API: create, stream, previous_response_id resumes', async () => {
    const first = await openai().responses.create({ model: 'claude', input: 'first' });
    expect(first.output_text).toBe('Hello from fake claude (turn 1): first');
    expect(first.usage).toMatchObject({ input_tokens: 12, output_tokens: 9 });
    const stream = await openai().responses.create({ model: 'claude', input: 'second', previous_response_id: first.id, stream: true });
    let text = '';
    for await (const e of stream) if (e.type === 'response.output_text.delta') text += e.delta;
    expect(text).toBe('Hello from fake claude (turn 2): second');
    await expect(openai(server.url, 'bad').responses.create({ model: 'claude', input: 'x' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('Anthropic SDK against clinvk serve', () => {
  it('create and stream().finalMessage()', async () => {
    const m = await anthropic().messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(m.content).toEqual([{ type: 'text', text: 'Hello from fake claude (turn 1): hi' }]);
    expect(m.usage).toMatchObject({ input_tokens: 12, output_tokens: 9 });
    const final = await anthropic().messages.stream({ model: 'gemini', max_tokens: 100, messages: [{ role: 'user', content: 'streamed' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from fake gemini (turn 1): streamed' }]);
  });

  it('typed errors: 401 and 429', async () => {
    const ask = (client: Anthropic) => client.messages.create({ model: 'codex', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    await expect(ask(anthropic(server.url, 'nope'))).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(ask(anthropic(limited.url))).rejects.toBeInstanceOf(Anthropic.RateLimitError);
  });
});

describe('client disconnect on the compatible surfaces', () => {
  it.each([
    ['/openai/v1/chat/completions', { model: 'claude', stream: true, messages: [{ role: 'user', content: 'hang' }] }],
    ['/anthropic/v1/messages', { model: 'gemini', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hang' }] }],
  ])('%s: closing the stream kills the backend and its children', async (path, body) => {
    const dir = mkdtempSync(join(tmpdir(), 'disconnect-'));
    const hanging = await startRunner({ env: { FAKE_HANG: '1', FAKE_LOG: join(dir, 'log'), FAKE_SPAWN_CHILD: join(dir, 'child') } });
    try {
      const controller = new AbortController();
      const res = await fetch(`${hanging.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read(); // the stream is open and the backend is running
      while (fakeLog(join(dir, 'log')).length === 0) await new Promise((r) => setTimeout(r, 50));
      controller.abort();
      const pid = fakeLog(join(dir, 'log'))[0]!.pid;
      const child = Number(readFileSync(join(dir, 'child'), 'utf8'));
      const deadline = Date.now() + 5000;
      while ((alive(pid) || alive(child)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(alive(pid)).toBe(false);
      expect(alive(child)).toBe(false);
    } finally {
      await hanging.close();
    }
  });
});
