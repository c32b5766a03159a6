// Runs that stay silent longer than a client waits: heartbeats keep every stream alive; idle and
// total timeouts each fire with their own message and leave no process behind.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunner, type Runner } from '../workerd/runner.ts';
import { alive, clinvk, ensureBuilt, fakeLog, sandbox } from './cli-helpers.ts';

let server: Runner;

beforeAll(async () => {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'long-runs-'));
  writeFileSync(join(dir, 'config.yaml'), 'server:\n  heartbeat_secs: 1\n');
  // The backend stays silent for 4 s after its first chunk; the client below gives up after 2.5 s of silence.
  server = await startRunner({ env: { CLINVK_CONFIG: join(dir, 'config.yaml'), FAKE_SILENCE_MS: '4000', FAKE_CHUNKS: '2' } });
}, 60_000);
afterAll(() => server?.close());

/** Reads a streaming body like a client with a read timeout: fails if nothing arrives for `idleMs`. */
async function readPatiently(res: Response, idleMs: number): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const chunk = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no byte for ${idleMs} ms: the client would have dropped the stream`)), idleMs))),
    ]);
    clearTimeout(timer);
    if (chunk.done) return text;
    text += decoder.decode(chunk.value, { stream: true });
  }
}

const post = (path: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe.concurrent('heartbeats keep silent streams alive', () => {
  it('REST NDJSON', async () => {
    const text = await readPatiently(await post('/api/v1/prompt', { backend: 'claude', prompt: 'slow', output_format: 'stream-json', ephemeral: true }), 2500);
    expect(text).toContain('{"type":"heartbeat"}');
    expect(text).toContain('"type":"done"');
  }, 20_000);

  it('OpenAI chat SSE', async () => {
    const text = await readPatiently(await post('/openai/v1/chat/completions', { model: 'gemini', stream: true, messages: [{ role: 'user', content: 'slow' }] }), 2500);
    expect(text).toContain(': keep-alive');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  }, 20_000);

  it('OpenAI Responses SSE', async () => {
    const text = await readPatiently(await post('/openai/v1/responses', { model: 'gemini', stream: true, input: 'slow' }), 2500);
    expect(text).toContain(': keep-alive');
    expect(text).toContain('event: response.completed');
  }, 20_000);

  it('Anthropic SSE with ping events', async () => {
    const text = await readPatiently(await post('/anthropic/v1/messages', { model: 'claude', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'slow' }] }, { 'anthropic-version': '2023-06-01' }), 2500);
    expect(text.match(/event: ping/g)!.length).toBeGreaterThan(1);
    expect(text).toContain('event: message_stop');
  }, 20_000);
});

describe('idle and total timeouts', () => {
  it('an idle timeout fires with its own message and leaves no process', async () => {
    const { env, home } = sandbox({ FAKE_SILENCE_MS: '5000' });
    env.FAKE_LOG = join(home, 'log');
    env.FAKE_SPAWN_CHILD = join(home, 'child');
    const r = await clinvk(['-b', 'gemini', '-o', 'text', '--idle-timeout', '1', 'quiet'], { env });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/no output from gemini for 1s/);
    await new Promise((res) => setTimeout(res, 300));
    expect(alive(fakeLog(env.FAKE_LOG)[0]!.pid)).toBe(false);
    expect(alive(Number(readFileSync(env.FAKE_SPAWN_CHILD, 'utf8')))).toBe(false);
  });

  it('a total timeout fires even while output keeps coming', async () => {
    const { env } = sandbox({ FAKE_CHUNKS: '40', FAKE_CHUNK_DELAY_MS: '100', FAKE_RESPONSE: 'x'.repeat(40) });
    const r = await clinvk(['-b', 'claude', '-o', 'json', '--timeout', '1', '--idle-timeout', '1', 'busy'], { env });
    expect(r.code).toBe(6);
    const j = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(j.error.code).toBe('TIMEOUT');
    expect(j.error.message).toMatch(/timed out after 1s/);
  });
});
