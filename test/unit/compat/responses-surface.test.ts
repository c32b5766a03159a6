// POST /openai/v1/responses through the official `openai` SDK, in-process.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../runtime/config.ts';
import { ConversationCache } from '../../../handlers/compat/conversation.ts';
import { ExpiringMap } from '../../../handlers/compat/expiring-map.ts';
import { createOpenAiSurface } from '../../../handlers/openai.ts';
import type { StoredResponse } from '../../../handlers/openai/responses.ts';
import { fakeRun } from './fake-run.ts';

function client(script?: Parameters<typeof fakeRun>[0]) {
  const fake = fakeRun(script);
  const surface = createOpenAiSurface({
    runtime: fake,
    backendNames: ['claude', 'codex', 'gemini'],
    defaultBackend: 'claude',
    conversations: new ConversationCache(),
    responses: new ExpiringMap<StoredResponse>(),
    heartbeatMs: 0,
    config: defaultConfig(),
  });
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const req = new Request(url, init);
    return (await surface(req, req.signal)) ?? new Response('not found', { status: 404 });
  };
  return { openai: new OpenAI({ apiKey: 'k', baseURL: 'http://clinvk.test/openai/v1', fetch, maxRetries: 0 }), calls: fake.calls };
}

describe('OpenAI Responses API', () => {
  it('creates a response whose output_text and usage come from the run', async () => {
    const { openai, calls } = client();
    const r = await openai.responses.create({ model: 'codex', instructions: 'be brief', input: 'hi' });
    expect(r.id).toMatch(/^resp_/);
    expect(r.object).toBe('response');
    expect(r.status).toBe('completed');
    expect(r.output_text).toBe('Hello from fake');
    expect(r.usage).toMatchObject({ input_tokens: 12, output_tokens: 9, total_tokens: 21 });
    expect(calls[0]).toMatchObject({ backend: 'codex', prompt: 'hi', systemPrompt: 'be brief' });
    expect((await openai.responses.retrieve(r.id)).output_text).toBe('Hello from fake');
  });

  it('streams response.* events in order with sequence numbers', async () => {
    const { openai } = client();
    const stream = await openai.responses.create({ model: 'claude', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }], stream: true });
    const events = [];
    for await (const e of stream) events.push(e);
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    expect(deltas.join('')).toBe('Hello from fake');
  });

  it('previous_response_id resumes the session that produced it, with only the new input', async () => {
    const { openai, calls } = client((_inv, n) => ({ chunks: [`answer ${n}`] }));
    const first = await openai.responses.create({ model: 'gemini', input: 'one' });
    await openai.responses.create({ model: 'gemini', input: 'two', previous_response_id: first.id });
    expect(calls.map((c) => [c.prompt, c.sessionId])).toEqual([
      ['one', undefined],
      ['two', 'sess1'],
    ]);
  });

  it('answers failures with typed errors and response.failed', async () => {
    const { openai } = client((inv) => (inv.prompt === 'fail' ? { error: { code: 'BACKEND_FAILED', message: 'boom' } } : {}));
    await expect(openai.responses.create({ model: 'claude', input: '' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(openai.responses.create({ model: 'claude', input: 'x', previous_response_id: 'resp_nope' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(openai.responses.retrieve('resp_nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const stream = await openai.responses.create({ model: 'claude', input: 'fail', stream: true });
    const types = [];
    for await (const e of stream) types.push(e.type);
    expect(types.at(-1)).toBe('response.failed');
  });
});
