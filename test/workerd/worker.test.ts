// The handlers bundled for workerd and run in miniflare, forwarding runs to a live Node runner that
// drives the fake CLIs. Fails if a node:* import sneaks into handlers/ (the neutral bundle cannot resolve it).
import Anthropic from '@anthropic-ai/sdk';
import { Miniflare } from 'miniflare';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from './bundle.ts';
import { startRunner, type Runner } from './runner.ts';

let runner: Runner;
let mf: Miniflare;
let script: string;

beforeAll(async () => {
  script = await bundleWorker();
  runner = await startRunner({ apiKeys: ['runner-secret'] });
  mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['enable_request_signal'],
    bindings: { RUNNER_URL: runner.url, RUNNER_TOKEN: 'runner-secret', CLINVK_API_KEYS: 'edge-key' },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await runner?.close();
});

/** A fetch for the SDKs that goes through workerd. */
const viaWorker = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const req = new Request(input, init);
  const body = req.body ? await req.text() : undefined;
  const res = await mf.dispatchFetch(req.url, { method: req.method, headers: Object.fromEntries(req.headers), ...(body ? { body } : {}) });
  return res as unknown as Response;
};

describe('handlers in workerd', () => {
  it('bundles for a neutral platform without any node: import', () => {
    expect(script).not.toMatch(/from\s*["']node:|require\(\s*["']node:|import\(\s*["']node:/);
  });

  it('answers /health without a key and really runs in workerd', async () => {
    const res = await mf.dispatchFetch('http://edge.test/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string };
    expect(['ok', 'degraded']).toContain(body.status);
  });

  it('refuses a request without the key (401)', async () => {
    const res = await mf.dispatchFetch('http://edge.test/api/v1/prompt', { method: 'POST', body: JSON.stringify({ backend: 'claude', prompt: 'hi' }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
  });

  it('runs a REST prompt through the runner', async () => {
    const res = await mf.dispatchFetch('http://edge.test/api/v1/prompt', {
      method: 'POST',
      headers: { authorization: 'Bearer edge-key', 'content-type': 'application/json' },
      body: JSON.stringify({ backend: 'claude', prompt: 'hello edge', ephemeral: true }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { output: string; exit_code: number; backend: string };
    expect(body.exit_code).toBe(0);
    expect(body.output).toContain('hello edge');
  });

  it('GET /api/v1/doctor on the edge says plainly that the checks run on the runner (501)', async () => {
    const res = await mf.dispatchFetch('http://edge.test/api/v1/doctor', { headers: { authorization: 'Bearer edge-key' } });
    expect(res.status).toBe(501);
    const body = (await res.json()) as { detail: string; hint: string };
    expect(body.detail).toMatch(/not available on the edge/);
    expect(body.hint).toMatch(/clinvk doctor/);
  });

  it('streams an OpenAI SDK chat through the worker', async () => {
    const openai = new OpenAI({ apiKey: 'edge-key', baseURL: 'http://edge.test/openai/v1', fetch: viaWorker, maxRetries: 0 });
    const stream = await openai.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'stream please' }], stream: true });
    let text = '';
    let chunks = 0;
    for await (const c of stream) {
      const d = c.choices[0]?.delta.content;
      if (d) {
        text += d;
        chunks++;
      }
    }
    expect(text).toContain('stream please');
    expect(chunks).toBeGreaterThan(1);
  });

  it('answers an Anthropic SDK message through the worker', async () => {
    const anthropic = new Anthropic({ apiKey: 'edge-key', baseURL: 'http://edge.test/anthropic', fetch: viaWorker, maxRetries: 0 });
    const msg = await anthropic.messages.create({ model: 'codex', max_tokens: 50, messages: [{ role: 'user', content: 'edge message' }] });
    expect(msg.content[0]).toMatchObject({ type: 'text' });
    expect((msg.content[0] as { text: string }).text).toContain('edge message');
  });
});

describe('the Host check in workerd', () => {
  it('is off by default and refuses other names once server.allowed_hosts is configured', async () => {
    // The default Worker (above) answers whatever its route's name is.
    expect((await mf.dispatchFetch('http://any-name.workers.dev/health')).status).toBe(200);
    const checked = new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2026-04-01',
      compatibilityFlags: ['enable_request_signal'],
      bindings: { RUNNER_URL: runner.url, RUNNER_TOKEN: 'runner-secret', CLINVK_CONFIG_JSON: JSON.stringify({ server: { allowed_hosts: ['edge.test'] } }) },
    });
    try {
      expect((await checked.dispatchFetch('http://edge.test/health')).status).toBe(200);
      const refused = await checked.dispatchFetch('http://evil.example/openai/v1/models');
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { type: 'permission_error' } });
    } finally {
      await checked.dispose();
    }
  }, 30_000);
});
