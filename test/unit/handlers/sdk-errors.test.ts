// The official SDKs against the whole app (middleware included): errors the middleware produces
// reach each SDK in its own dialect, so it raises its typed error.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { fakeRuntime, testApp } from './fake-runtime.ts';

const viaApp = (app: ReturnType<typeof testApp>) => async (input: string | URL | Request, init?: RequestInit) => app.fetch(new Request(input, init));

describe('SDK clients through the middleware', () => {
  it('OpenAI: a wrong key raises AuthenticationError; a right one chats', async () => {
    const app = testApp(fakeRuntime(), { apiKeys: ['good'] });
    const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: 'http://clinvk.test/openai/v1', fetch: viaApp(app), maxRetries: 0 });
    await expect(client('bad').chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const ok = await client('good').chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.choices[0]!.message.content).toBe('Hello world');
  });

  it('Anthropic: x-api-key is accepted; the rate limit raises RateLimitError', async () => {
    const app = testApp(fakeRuntime(), { apiKeys: ['good'], server: { rate_limit_enabled: true, rate_limit_burst: 1, rate_limit_rps: 0.001 } });
    const client = new Anthropic({ apiKey: 'good', baseURL: 'http://clinvk.test/anthropic', fetch: viaApp(app), maxRetries: 0 });
    const msg = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Hello world' });
    const err = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.headers.get('retry-after')).toBeTruthy();
  });
});
