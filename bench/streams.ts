// Time to the first streamed text on the REST, OpenAI and Anthropic streams against the fake backend's
// own first chunk (spawned directly), and the server's resident memory with 64 runs in flight.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startRunner } from '../test/workerd/runner.ts';
import { FAKES, median, round, type Row } from './measure.ts';

const SAMPLES = 9;

/** ms until the fake prints its first text chunk, run directly. */
function directFirstChunk(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(join(FAKES, 'gemini'), ['--output-format', 'stream-json', '--skip-trust', '--prompt=ttfb'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d;
      if (buf.includes('"delta":true')) {
        resolve(performance.now() - t);
        child.kill();
      }
    });
    child.on('error', reject);
  });
}

/** ms until a response body contains `marker` (the first text delta in that surface's format). */
async function firstText(url: string, body: object, marker: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`no ${marker} in the stream`);
    buf += decoder.decode(value, { stream: true });
    if (buf.includes(marker)) {
      const ms = performance.now() - t;
      await reader.cancel();
      return ms;
    }
  }
}

export async function rows(): Promise<Row[]> {
  const env = { FAKE_CHUNK_DELAY_MS: '200', FAKE_CHUNKS: '3' };
  const server = await startRunner({ env });
  try {
    const fullEnv = { ...process.env, ...env, HOME: server.home };
    const surfaces = {
      direct: () => directFirstChunk(fullEnv),
      rest: () => firstText(`${server.url}/api/v1/prompt`, { backend: 'gemini', prompt: 'ttfb', output_format: 'stream-json', ephemeral: true }, '"type":"message"'),
      openai: () => firstText(`${server.url}/openai/v1/chat/completions`, { model: 'gemini', stream: true, messages: [{ role: 'user', content: 'ttfb' }] }, '"content":"Hello'),
      anthropic: () => firstText(`${server.url}/anthropic/v1/messages`, { model: 'gemini', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'ttfb' }] }, 'text_delta'),
    };
    const samples: Record<string, number[]> = { direct: [], rest: [], openai: [], anthropic: [] };
    for (let i = 0; i < SAMPLES; i++) for (const [k, f] of Object.entries(surfaces)) samples[k]!.push(await f());
    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    const rowsOut: Row[] = [{ name: 'fake gemini: first text chunk, spawned directly', value: round(m.direct!), unit: 'ms' }];
    for (const k of ['rest', 'openai', 'anthropic']) rowsOut.push({ name: `${k} stream: first text, added over direct`, value: round(m[k]! - m.direct!), unit: 'ms' });
    // Memory: 64 silent runs in flight at once.
    const before = process.memoryUsage().rss;
    const hanging = await startRunner({ env: { FAKE_SILENCE_MS: '3000', FAKE_CHUNK_DELAY_MS: '0' } });
    try {
      const inflight = Array.from({ length: 64 }, () => fetch(`${hanging.url}/api/v1/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ backend: 'claude', prompt: 'mem', ephemeral: true }) }).then((r) => r.text()));
      await new Promise((r) => setTimeout(r, 2000));
      const during = process.memoryUsage().rss;
      await Promise.all(inflight);
      rowsOut.push({ name: 'server process RSS growth with 64 runs in flight (in-process runner)', value: round((during - before) / 2 ** 20), unit: 'MiB' });
    } finally {
      await hanging.close();
    }
    return rowsOut;
  } finally {
    await server.close();
  }
}
