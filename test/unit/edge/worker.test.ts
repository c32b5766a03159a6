// The Worker entry with Request objects: a misconfigured Worker's 503s, the EdgeState object's memory,
// and two "isolates" (two apps) sharing one Durable Object, for chats and for /mcp.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EdgeState } from '../../../handlers/edge/state-object.ts';
import worker, { createWorkerApp, type WorkerEnv } from '../../../handlers/worker.ts';
import type { RunEvent } from '../../../runtime/contract.ts';
import { runEventToJson } from '../../../runtime/wire.ts';
import { fakeNamespace, memoryStorage } from './fake-durable.ts';

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const call = (env: WorkerEnv, path: string, init: RequestInit = {}) => worker.fetch(new Request(`http://edge.test${path}`, init), env);
const postJson = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a misconfigured Worker', () => {
  it('answers every request with a 503 naming a bad RUNNER_URL, in each surface’s format', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const env: WorkerEnv = { RUNNER_URL: 'a=ftp://runner' };
    const health = await call(env, '/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ code: 'CONFIG_INVALID', detail: 'RUNNER_URL is invalid: runner "a" must use http or https' });
    const openai = await call(env, '/openai/v1/chat/completions', postJson({ model: 'claude', messages: [] }));
    expect(openai.status).toBe(503);
    expect(((await openai.json()) as { error: { message: string } }).error.message).toMatch(/^RUNNER_URL is invalid: runner "a" must use http or https/);
    const anthropic = await call(env, '/anthropic/v1/messages', postJson({}));
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { message: expect.stringContaining('RUNNER_URL is invalid') } });
    const mcp = await call(env, '/mcp', postJson({}));
    expect(await mcp.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining('RUNNER_URL is invalid') } });
    expect((await call({}, '/health')).status).toBe(503);
    // Logged once per isolate and environment, not per request.
    expect(logged).toHaveBeenCalledTimes(2);
    logged.mockRestore();
  });

  it.each([
    ['{"server":', /^CLINVK_CONFIG_JSON is not JSON: /],
    ['{"server":{"max_request_body_bytes":"lots"}}', /^CLINVK_CONFIG_JSON is invalid: server\.max_request_body_bytes: /],
  ])('answers 503 naming a bad CLINVK_CONFIG_JSON (%s)', async (json, message) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await call({ RUNNER_URL: 'a=http://runner', CLINVK_CONFIG_JSON: json }, '/openai/v1/models');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  });
});

describe('the EdgeState Durable Object', () => {
  const op = (state: EdgeState, body: unknown) => state.fetch(new Request('https://s/', { method: 'POST', body: JSON.stringify(body) })).then((r) => r.json());

  it('remembers values until they expire, pushes expiry out on touch, and sweeps on its alarm', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const storage = memoryStorage();
    const state = new EdgeState({ storage }, {});
    await op(state, { op: 'set', key: 'k', value: { s: 'a-1' }, ttlMs: 1000 });
    await op(state, { op: 'set', key: 'old', value: 1, ttlMs: 10 });
    expect(storage.alarm).toBeGreaterThan(1_000_000);
    expect(await op(state, { op: 'get', key: 'k' })).toEqual({ value: { s: 'a-1' } });
    vi.setSystemTime(1_000_900);
    expect(await op(state, { op: 'get', key: 'k', touchMs: 1000 })).toEqual({ value: { s: 'a-1' } });
    vi.setSystemTime(1_001_500);
    expect(await op(state, { op: 'get', key: 'k' })).toEqual({ value: { s: 'a-1' } });
    await state.alarm();
    expect([...storage.data.keys()]).toEqual(['kv:k']);
    vi.setSystemTime(1_002_000);
    expect(await op(state, { op: 'get', key: 'k' })).toEqual({});
    expect(storage.data.size).toBe(0);
    await op(state, { op: 'set', key: 'd', value: 1, ttlMs: 1000 });
    await op(state, { op: 'delete', key: 'd' });
    expect(await op(state, { op: 'get', key: 'd' })).toEqual({});
    const bad = await state.fetch(new Request('https://s/', { method: 'POST', body: '{"op":"drop"}' }));
    expect(bad.status).toBe(400);
  });
});

describe('the EdgeState runner checks', () => {
  it('one check for requests that arrive together; a runner marked down meanwhile stays down', async () => {
    let probes = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    vi.stubGlobal('fetch', async () => {
      probes++;
      await gate;
      return new Response('{}');
    });
    const state = new EdgeState({ storage: memoryStorage() }, { RUNNER_URL: 'a=http://a,b=http://b' });
    const op = (body: unknown) => state.fetch(new Request('https://s/', { method: 'POST', body: JSON.stringify(body) })).then((r) => r.json() as Promise<{ states: Record<string, { state: string }> }>);
    const first = op({ op: 'runners' });
    const second = op({ op: 'runners' });
    await new Promise((r) => setTimeout(r, 20));
    await op({ op: 'runner-down', name: 'b', reason: 'it refused the connection' });
    release();
    const [one, two] = await Promise.all([first, second]);
    expect(probes).toBe(2); // a and b, once each
    expect(one.states.a!.state).toBe('up');
    expect(one.states.b!.state).toBe('down');
    expect(two).toEqual(one);
  });
});

/** Fake runners: /health, /api/v1/prompt (NDJSON), /mcp (answers with its own session id). */
function runnersFetch(down: Set<string>, seen: string[]) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const name = url.hostname;
    if (down.has(name)) throw new TypeError('fetch failed');
    if (url.pathname === '/health') return Response.json({ status: 'ok' });
    if (url.pathname === '/mcp') {
      const sid = new Headers(init?.headers).get('mcp-session-id');
      seen.push(`${name}:mcp:${sid ?? 'open'}:${new Headers(init?.headers).get('authorization')}`);
      return Response.json({ jsonrpc: '2.0', id: 1, result: {} }, { headers: { 'mcp-session-id': sid ?? `${name}-native${seen.length}` } });
    }
    const body = JSON.parse(String(init?.body)) as { session_id?: string; prompt: string };
    seen.push(`${name}:${body.session_id ?? 'new'}`);
    const sessionId = body.session_id ?? `s${seen.length}`;
    const result = { backend: 'claude', sessionId, output: `${name} says ${body.prompt}`, exitCode: 0, durationMs: 1, usage: { inputTokens: 1, outputTokens: 1, cachedTokens: 0, reasoningTokens: 0 }, warnings: [] };
    const events: RunEvent[] = [{ type: 'init', backend: 'claude', sessionId }, { type: 'text', text: result.output }, { type: 'done', result }];
    return new Response(events.map((e) => `${JSON.stringify(runEventToJson(e, { backend: 'claude', sessionId }))}\n`).join(''));
  };
}

describe('two isolates sharing the Durable Object', () => {
  it('a chat turn and a Responses turn in another isolate resume on the same runner; /mcp stays on its runner, 503 once it is down', async () => {
    const down = new Set<string>();
    const seen: string[] = [];
    const fake = runnersFetch(down, seen);
    vi.stubGlobal('fetch', fake); // the object's /health probes
    const env: WorkerEnv = { RUNNER_URL: 'a=http://a,b=http://b', RUNNER_TOKEN: 'tok', CLINVK_STATE: fakeNamespace({ RUNNER_URL: 'a=http://a,b=http://b' }) };
    const isolate1 = createWorkerApp(env, fake);
    const isolate2 = createWorkerApp(env, fake);
    const chat = async (app: typeof isolate1, messages: unknown[]) => {
      const res = await app.fetch(new Request('http://edge.test/openai/v1/chat/completions', postJson({ model: 'claude', messages })));
      expect(res.status).toBe(200);
      return ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    };
    const first = await chat(isolate1, [{ role: 'user', content: 'one' }]);
    expect(first).toBe('a says one');
    await chat(isolate2, [{ role: 'user', content: 'one' }, { role: 'assistant', content: first }, { role: 'user', content: 'two' }]);
    expect(seen).toEqual(['a:new', 'a:s1']);

    const r1 = (await (await isolate1.fetch(new Request('http://edge.test/openai/v1/responses', postJson({ model: 'claude', input: 'r' })))).json()) as { id: string };
    expect(r1.id).toMatch(/^resp_b_/);
    const r2 = await isolate2.fetch(new Request('http://edge.test/openai/v1/responses', postJson({ model: 'claude', input: 'r2', previous_response_id: r1.id })));
    expect(r2.status).toBe(200);
    expect(seen.slice(2)).toEqual(['b:new', 'b:s3']);

    const init = await isolate1.fetch(new Request('http://edge.test/mcp', postJson({ jsonrpc: '2.0', id: 1, method: 'initialize' })));
    const sid = init.headers.get('mcp-session-id')!;
    expect(sid).toMatch(/^[ab]-[ab]-native\d+$/);
    const owner = sid.slice(0, 1);
    const next = await isolate2.fetch(new Request('http://edge.test/mcp', { ...postJson({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), headers: { 'mcp-session-id': sid, 'content-type': 'application/json' } }));
    expect(next.headers.get('mcp-session-id')).toBe(sid);
    expect(seen.slice(-1)).toEqual([`${owner}:mcp:${sid.slice(2)}:Bearer tok`]);

    // DELETE ends the session on its runner and in the object.
    const opened = await isolate2.fetch(new Request('http://edge.test/mcp', postJson({ jsonrpc: '2.0', id: 1, method: 'initialize' })));
    const sid2 = opened.headers.get('mcp-session-id')!;
    const other = sid2.slice(0, 1);
    const closed = await isolate1.fetch(new Request('http://edge.test/mcp', { method: 'DELETE', headers: { 'mcp-session-id': sid2 } }));
    expect(closed.status).toBe(200);
    expect(seen.at(-1)).toBe(`${other}:mcp:${sid2.slice(2)}:Bearer tok`);
    expect((await isolate2.fetch(new Request('http://edge.test/mcp', { method: 'DELETE', headers: { 'mcp-session-id': sid2 } }))).status).toBe(404);

    down.add(owner);
    const refused = await isolate2.fetch(new Request('http://edge.test/mcp', { ...postJson({ jsonrpc: '2.0', id: 3, method: 'tools/list' }), headers: { 'mcp-session-id': sid, 'content-type': 'application/json' } }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining(`runner "${owner}" is down`) } });
    const unknown = await isolate1.fetch(new Request('http://edge.test/mcp', { ...postJson({ jsonrpc: '2.0', id: 3, method: 'tools/list' }), headers: { 'mcp-session-id': 'a-nope', 'content-type': 'application/json' } }));
    expect(unknown.status).toBe(404);
  });
});
