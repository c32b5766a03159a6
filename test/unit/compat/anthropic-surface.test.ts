// The Anthropic surface driven by the official `@anthropic-ai/sdk`, in-process.
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { ConversationCache } from '../../../handlers/compat/conversation.ts';
import { createAnthropicSurface } from '../../../handlers/anthropic.ts';
import { fakeRun } from './fake-run.ts';

function client(script?: Parameters<typeof fakeRun>[0], heartbeatMs = 0) {
  const fake = fakeRun(script);
  const surface = createAnthropicSurface({
    runtime: fake,
    backendNames: ['claude', 'codex', 'gemini'],
    defaultBackend: 'claude',
    conversations: new ConversationCache(),
    heartbeatMs,
  });
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const req = new Request(url, init);
    return (await surface(req, req.signal)) ?? new Response('not found', { status: 404 });
  };
  const anthropic = new Anthropic({ apiKey: 'k', baseURL: 'http://clinvk.test/anthropic', fetch, maxRetries: 0 });
  return { anthropic, calls: fake.calls };
}

describe('Anthropic messages', () => {
  it('creates a message with text content and usage', async () => {
    const { anthropic, calls } = client();
    const m = await anthropic.messages.create({
      model: 'claude-test-model',
      max_tokens: 100,
      system: [{ type: 'text', text: 'be brief' }],
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(m.content).toEqual([{ type: 'text', text: 'Hello from fake' }]);
    expect(m.stop_reason).toBe('end_turn');
    expect(m.usage).toMatchObject({ input_tokens: 12, output_tokens: 9 });
    expect(calls[0]).toMatchObject({ backend: 'claude', model: 'claude-test-model', prompt: 'hi', systemPrompt: 'be brief' });
  });

  it('streams with the SDK helper: text events and finalMessage()', async () => {
    const { anthropic } = client(() => ({ chunks: ['a', 'b', 'c'], delayMs: 30 }), 10);
    const stream = anthropic.messages.stream({ model: 'codex', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const final = await stream.finalMessage();
    expect(texts).toEqual(['a', 'b', 'c']);
    expect(final.content).toEqual([{ type: 'text', text: 'abc' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(9);
  });

  it('resumes on the next turn with only the new user message', async () => {
    const { anthropic, calls } = client((_inv, n) => ({ chunks: [`answer ${n}`] }));
    const first = await anthropic.messages.create({ model: 'gemini', max_tokens: 5, messages: [{ role: 'user', content: 'one' }] });
    const text = (first.content[0] as { text: string }).text;
    await anthropic.messages.create({
      model: 'gemini',
      max_tokens: 5,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: [{ type: 'text', text }] },
        { role: 'user', content: 'two' },
      ],
    });
    expect(calls.map((c) => [c.prompt, c.sessionId])).toEqual([
      ['one', undefined],
      ['two', 'sess1'],
    ]);
  });

  it('raises typed errors and ends failing streams with an error event', async () => {
    const { anthropic } = client((inv) =>
      inv.prompt === 'auth' ? { error: { code: 'BACKEND_AUTH', message: 'Not logged in' } } : { chunks: ['x'], error: { code: 'BACKEND_FAILED', message: 'boom' } },
    );
    await expect(anthropic.messages.create({ model: 'claude', max_tokens: 5, messages: [] })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(anthropic.messages.create({ model: 'zzz/x', max_tokens: 5, messages: [{ role: 'user', content: 'a' }] })).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    const failed = await anthropic.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'auth' }] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Anthropic.APIError);
    expect(String(failed)).toMatch(/Not logged in/);
    const stream = anthropic.messages.stream({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    await expect(stream.finalMessage()).rejects.toThrow(/boom/);
  });

  it('estimates tokens', async () => {
    const { anthropic } = client();
    const r = await anthropic.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'x'.repeat(40) }] });
    expect(r.input_tokens).toBe(10);
  });
});
