// Runs that stay silent longer than a client waits: heartbeats keep every stream alive; idle and
// total timeouts each fire with their own message and leave no process behind.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunner, type Runner } from '../workerd/runner.ts';
import { stretched } from '../reliability/work-bound.ts';
import { alive, clinvk, ensureBuilt, fakeLog, sandbox, untilGrandchildStarted } from './cli-helpers.ts';

let server: Runner;
const SILENCE_MS = stretched(4000);
const PATIENCE_MS = stretched(2500);
const STREAM_TEST_MS = stretched(20_000);

beforeAll(async () => {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'long-runs-'));
  writeFileSync(join(dir, 'config.yaml'), 'server:\n  heartbeat_secs: 1\n');
  // The backend stays silent for 4 s after its first chunk; the client below gives up after 2.5 s of
  // silence; heartbeats come every second. On a slow machine a heartbeat can be late, so the silence and
  // the client's patience stretch together (the silence stays longer than the patience, which stays
  // longer than a heartbeat's interval, so a stream without heartbeats still fails).
  server = await startRunner({ env: { CLINVK_CONFIG: join(dir, 'config.yaml'), FAKE_SILENCE_MS: String(SILENCE_MS), FAKE_CHUNKS: '2' } });
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
    const text = await readPatiently(await post('/api/v1/prompt', { backend: 'claude', prompt: 'slow', output_format: 'stream-json', ephemeral: true }), PATIENCE_MS);
    expect(text).toContain('{"type":"heartbeat"}');
    expect(text).toContain('"type":"done"');
  }, STREAM_TEST_MS);

  it('OpenAI chat SSE', async () => {
    const text = await readPatiently(await post('/openai/v1/chat/completions', { model: 'gemini', stream: true, messages: [{ role: 'user', content: 'slow' }] }), PATIENCE_MS);
    expect(text).toContain(': keep-alive');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  }, STREAM_TEST_MS);

  it('OpenAI Responses SSE', async () => {
    const text = await readPatiently(await post('/openai/v1/responses', { model: 'gemini', stream: true, input: 'slow' }), PATIENCE_MS);
    expect(text).toContain(': keep-alive');
    expect(text).toContain('event: response.completed');
  }, STREAM_TEST_MS);

  it('Anthropic SSE with ping events', async () => {
    const text = await readPatiently(await post('/anthropic/v1/messages', { model: 'claude', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'slow' }] }, { 'anthropic-version': '2023-06-01' }), PATIENCE_MS);
    expect(text.match(/event: ping/g)!.length).toBeGreaterThan(1);
    expect(text).toContain('event: message_stop');
  }, STREAM_TEST_MS);
});

describe('idle and total timeouts', () => {
  it('an idle timeout fires with its own message and leaves no process', async () => {
    const { env, home } = sandbox({ FAKE_SILENCE_MS: '60000' });
    env.FAKE_LOG = join(home, 'log');
    env.FAKE_SPAWN_CHILD = join(home, 'child');
    const { r, secs, grandchild } = await untilGrandchildStarted(env.FAKE_SPAWN_CHILD, (secs) =>
      clinvk(['-b', 'gemini', '-o', 'text', '--idle-timeout', String(secs), 'quiet'], { env }),
    );
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`no output from gemini for ${secs}s`);
    await new Promise((res) => setTimeout(res, 300));
    expect(alive(fakeLog(env.FAKE_LOG).filter((l) => l.phase === 'start').at(-1)!.pid)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  }, stretched(60_000));

  it('a total timeout fires even while output keeps coming', async () => {
    // The total timeout stretches with the machine's slowness; output comes every 100 ms for four
    // times that long, so the timeout fires while it is still coming; the idle timeout (30 s) only has
    // to outlast the fake's start on a busy machine.
    const secs = Math.max(1, Math.round(stretched(1000) / 1000));
    const chunks = secs * 40;
    const { env } = sandbox({ FAKE_CHUNKS: String(chunks), FAKE_CHUNK_DELAY_MS: '100', FAKE_RESPONSE: 'x'.repeat(chunks) });
    const r = await clinvk(['-b', 'claude', '-o', 'json', '--timeout', String(secs), '--idle-timeout', '30', 'busy'], { env });
    expect(r.code).toBe(6);
    const j = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(j.error.code).toBe('TIMEOUT');
    expect(j.error.message).toContain(`timed out after ${secs}s`);
  }, stretched(60_000));
});
