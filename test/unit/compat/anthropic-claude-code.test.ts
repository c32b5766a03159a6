// What Claude Code 2.1.33x sends to an Anthropic-compatible server (recorded from the real CLI):
// `?beta=true`, beta headers, a `role: "system"` entry at the end of `messages`, thinking,
// context_management, output_config, cache_control, tools with defer_loading, metadata. None of it
// may cause a 400; the system entry joins the system prompt, and the next turn still resumes.
import { describe, expect, it } from 'vitest';
import { ConversationCache } from '../../../handlers/compat/conversation.ts';
import { createAnthropicSurface } from '../../../handlers/anthropic.ts';
import { fakeRun } from './fake-run.ts';

function surface(script?: Parameters<typeof fakeRun>[0]) {
  const fake = fakeRun(script);
  const s = createAnthropicSurface({ runtime: fake, backendNames: ['claude', 'codex', 'gemini'], defaultBackend: 'claude', conversations: new ConversationCache(), heartbeatMs: 0 });
  const post = async (path: string, body: unknown) => {
    const req = new Request(`http://clinvk.test/anthropic/v1${path}?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,effort-2025-11-24' },
      body: JSON.stringify(body),
    });
    return (await s(req, req.signal))!;
  };
  return { post, calls: fake.calls };
}

const ENV = '<env>Working directory: /w\nToday is 2026-12-05</env>';
const systemEntry = { role: 'system', content: [{ type: 'text', text: ENV }] };

/** A Claude Code request: its history, then the system entry it always appends. */
const claudeCodeBody = (history: { role: string; content: unknown }[], extra: Record<string, unknown> = {}) => ({
  model: 'codex',
  max_tokens: 128000,
  system: [
    { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'Be concise.', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ],
  messages: [...history, systemEntry],
  tools: [
    { name: 'Bash', description: 'run', input_schema: { type: 'object' } },
    { name: 'WebFetch', description: 'fetch', input_schema: { type: 'object' }, defer_loading: true },
  ],
  metadata: { user_id: 'user_abc_account__session_123' },
  thinking: { type: 'adaptive' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'high' },
  stream: false,
  ...extra,
});

const userTurn = (text: string) => ({ role: 'user', content: [{ type: 'text', text: '<system-reminder>skills</system-reminder>' }, { type: 'text', text, cache_control: { type: 'ephemeral' } }] });

describe('Claude Code as a client of /anthropic', () => {
  it('answers a request ending with a system entry; the entry joins the system prompt', async () => {
    const { post, calls } = surface();
    const res = await post('/messages', claudeCodeBody([userTurn('hi')]));
    expect(res.status).toBe(200);
    expect((await res.json()).content).toEqual([{ type: 'text', text: 'Hello from fake' }]);
    expect(calls[0]!.systemPrompt).toBe(`You are Claude Code.\nBe concise.\n\n${ENV}`);
    expect(calls[0]!.prompt).toBe('<system-reminder>skills</system-reminder>\nhi');
  });

  it('a system entry in the middle of messages joins the system prompt too', async () => {
    const { post, calls } = surface();
    const body = claudeCodeBody([userTurn('a'), { role: 'system', content: 'mid' }, { role: 'assistant', content: 'b' }, userTurn('c')]);
    expect((await post('/messages', body)).status).toBe(200);
    expect(calls[0]!.systemPrompt).toMatch(/Be concise\.\n\nmid\n\n<env>/);
    expect(calls[0]!.prompt).not.toMatch(/mid|<env>/);
  });

  it('--continue: the next request (same system entry, longer history) resumes the session with only the new turn', async () => {
    const { post, calls } = surface((_inv, n) => ({ chunks: [`answer ${n}`] }));
    await post('/messages', claudeCodeBody([userTurn('one')]));
    const res = await post('/messages', claudeCodeBody([userTurn('one'), { role: 'assistant', content: [{ type: 'text', text: 'answer 1' }] }, userTurn('two')]));
    expect(res.status).toBe(200);
    expect(calls[1]).toMatchObject({ sessionId: 'sess1', prompt: '<system-reminder>skills</system-reminder>\ntwo' });
    expect(calls[1]!.systemPrompt).toBeUndefined();
  });

  it('streams the same request', async () => {
    const { post } = surface();
    const res = await post('/messages', claudeCodeBody([userTurn('hi')], { stream: true }));
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/event: message_stop/);
  });

  it('count_tokens takes the same body (with the system entry) and counts it', async () => {
    const { post } = surface();
    const { model, messages, system, tools, thinking, context_management } = claudeCodeBody([userTurn('x'.repeat(400))]);
    const res = await post('/messages/count_tokens', { model, messages, system, tools, thinking, context_management });
    expect(res.status).toBe(200);
    expect((await res.json()).input_tokens).toBeGreaterThan(100);
  });

  it('a role that is none of user/assistant/system is still a 400 in Anthropic\'s format', async () => {
    const { post } = surface();
    const res = await post('/messages', claudeCodeBody([{ role: 'tool', content: 'x' }]));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/messages\.0\.role/) } });
  });
});
