// The OpenAI surface driven by the official `openai` SDK, in-process (the SDK's fetch calls the handler).
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../runtime/config.ts';
import { ClinvkError } from '../../../runtime/contract.ts';
import { ConversationCache } from '../../../handlers/compat/conversation.ts';
import { ExpiringMap } from '../../../handlers/compat/expiring-map.ts';
import { createOpenAiSurface } from '../../../handlers/openai.ts';
import { fakeRun, type Script } from './fake-run.ts';

function client(script?: Parameters<typeof fakeRun>[0]) {
  const fake = fakeRun(script);
  const config = defaultConfig();
  config.backends.claude = { ...config.backends.claude!, ...{ models: { fast: 'haiku' }, allowed_tools: [], extra_flags: [], enabled: true, skip_trust: true } };
  const surface = createOpenAiSurface({
    runtime: fake,
    backendNames: ['claude', 'codex', 'gemini'],
    defaultBackend: 'claude',
    conversations: new ConversationCache(),
    responses: new ExpiringMap(),
    heartbeatMs: 0,
    config,
  });
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const req = new Request(url, init);
    return (await surface(req, req.signal)) ?? new Response('not found', { status: 404 });
  };
  const openai = new OpenAI({ apiKey: 'k', baseURL: 'http://clinvk.test/openai/v1', fetch, maxRetries: 0 });
  return { openai, calls: fake.calls };
}

describe('OpenAI chat completions', () => {
  it('answers non-streaming with the run text and usage', async () => {
    const { openai, calls } = client();
    const r = await openai.chat.completions.create({ model: 'codex', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0]!.message.content).toBe('Hello from fake');
    expect(r.choices[0]!.finish_reason).toBe('stop');
    expect(r.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
    expect(calls[0]).toMatchObject({ backend: 'codex', prompt: 'hi' });
  });

  it('streams one chunk per delta, then finish_reason, usage and [DONE]', async () => {
    const { openai } = client();
    const stream = await openai.chat.completions.create({
      model: 'claude/sonnet',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello from fake');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(3);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9 });
  });

  it('maps models: exact backend, backend/model, family names, default', async () => {
    const { openai, calls } = client();
    for (const model of ['gemini', 'claude/opus', 'gpt-5', 'gemini-2.5-pro', 'whatever']) {
      await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
    }
    expect(calls.map((c) => [c.backend, c.model])).toEqual([
      ['gemini', undefined],
      ['claude', 'opus'],
      ['codex', 'gpt-5'],
      ['gemini', 'gemini-2.5-pro'],
      ['claude', undefined],
    ]);
  });

  it('folds system and history into one prompt when nothing can be resumed', async () => {
    const { openai, calls } = client();
    await openai.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'developer', content: 'rules' },
        { role: 'user', content: [{ type: 'text', text: 'first' }] },
        { role: 'assistant', content: 'an answer we never gave' },
        { role: 'user', content: 'second' },
      ],
    });
    expect(calls[0]!.systemPrompt).toBe('rules');
    expect(calls[0]!.sessionId).toBeUndefined();
    expect(calls[0]!.prompt).toBe('The conversation so far (answer the last message):\n\nUser:\nfirst\n\nAssistant:\nan answer we never gave\n\nUser:\nsecond');
  });

  it('resumes the backend session on each further turn, sending only the new message', async () => {
    const { openai, calls } = client((inv, n) => ({ chunks: [`answer ${n}`] }));
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'system', content: 'sys' }, { role: 'user', content: 'one' }];
    for (const next of ['two', 'three']) {
      const r = await openai.chat.completions.create({ model: 'claude', messages });
      messages.push({ role: 'assistant', content: r.choices[0]!.message.content! }, { role: 'user', content: next });
    }
    await openai.chat.completions.create({ model: 'claude', messages });
    expect(calls.map((c) => [c.prompt, c.sessionId, c.systemPrompt])).toEqual([
      ['one', undefined, 'sys'],
      ['two', 'sess1', undefined],
      ['three', 'sess1', undefined],
    ]);
  });

  it('does not reuse when the request opts out', async () => {
    const { openai, calls } = client(() => ({ chunks: ['a'] }));
    await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'one' }] });
    await openai.chat.completions.create(
      { model: 'claude', messages: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'two' }] },
      { headers: { 'x-clinvk-reuse-session': 'false' } },
    );
    expect(calls[1]!.sessionId).toBeUndefined();
    expect(calls[1]!.prompt).toContain('User:\none');
  });

  it('raises the SDK typed errors', async () => {
    const { openai } = client((inv) =>
      inv.prompt === 'limit'
        ? { error: { code: 'BACKEND_RATE_LIMITED', message: 'usage limit reached', retryAfterSeconds: 30 } }
        : inv.prompt === 'bad-flag'
          ? { throwInput: new ClinvkError('FLAG_NOT_ALLOWED', 'flag --x is not allowed') }
          : {},
    );
    const ask = (model: string, content: string, extra: object = {}) =>
      openai.chat.completions.create({ model, messages: [{ role: 'user', content }], ...extra });
    await expect(ask('claude', 'x', { n: 2 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(ask('nope/model', 'x')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(ask('claude', 'bad-flag')).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const limited = await ask('claude', 'limit').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('30');
    await expect(openai.chat.completions.create({ model: 'claude', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('ends a failing stream with an error the SDK raises, never a silent truncation', async () => {
    const { openai } = client(() => ({ chunks: ['partial'], error: { code: 'BACKEND_FAILED', message: 'backend crashed' } } satisfies Script));
    const stream = await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow(/backend crashed/);
    expect(seen.join('')).toBe('partial');
  });

  it('lists models with backend/model ids from config', async () => {
    const { openai } = client();
    const ids = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['claude', 'codex', 'gemini', 'claude/fast', 'claude/haiku']));
    expect((await openai.models.retrieve('claude/fast')).id).toBe('claude/fast');
    await expect(openai.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
