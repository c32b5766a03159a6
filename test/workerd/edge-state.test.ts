// The edge keeps its state in the EdgeState Durable Object: two live runners (`clinvk serve` on loopback
// driving the fake CLIs), and Workers in miniflare that come and go between turns while sharing one
// Durable Object store on disk (an isolate restart). Which runner served a turn, and whether it resumed the
// native session, is read from each runner's fake-CLI log.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, edgeWorker } from './bundle.ts';
import { startRunner, type Runner } from './runner.ts';

interface LogLine {
  cli: string;
  phase: string;
  argv: string[];
}

let script: string;
let dir: string;
const runners: Record<'a' | 'b', Runner> = {} as never;
const logs: Record<'a' | 'b', string> = { a: '', b: '' };
let live: Miniflare | undefined;

const readLog = (name: 'a' | 'b'): LogLine[] =>
  existsSync(logs[name]) ? readFileSync(logs[name], 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine) : [];
// A run's start, not a version probe (the runners' /health and backends checks run `<cli> --version` too).
const starts = (name: 'a' | 'b') => readLog(name).filter((l) => l.phase === 'start' && !l.argv.includes('--version'));
const resumeOf = (l: LogLine) => (l.argv.includes('--resume') ? l.argv[l.argv.indexOf('--resume') + 1] : undefined);

/** Which runner's fake CLI started while `fn` ran, and that start's log line. */
async function served<T>(fn: () => Promise<T>): Promise<{ value: T; runner: 'a' | 'b'; line: LogLine }> {
  const before = { a: starts('a').length, b: starts('b').length };
  const value = await fn();
  const grew = (['a', 'b'] as const).filter((n) => starts(n).length > before[n]);
  expect(grew).toHaveLength(1);
  const runner = grew[0]!;
  return { value, runner, line: starts(runner).at(-1)! };
}

/** A fresh Worker isolate on the shared Durable Object store; the previous one is gone first. */
async function isolate(runnerUrl = `a=${runners.a.url},b=${runners.b.url}`): Promise<Miniflare> {
  await live?.dispose();
  live = edgeWorker(script, join(dir, 'do'), { RUNNER_URL: runnerUrl, RUNNER_TOKEN: 'runner-secret', CLINVK_API_KEYS: 'edge-key', RUNNER_CHECK_SECS: '1' });
  await live.ready;
  return live;
}

const post = (mf: Miniflare, path: string, body: unknown) =>
  mf.dispatchFetch(`http://edge.test${path}`, { method: 'POST', headers: { authorization: 'Bearer edge-key', 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function chat(mf: Miniflare, messages: { role: string; content: string }[]) {
  const res = await post(mf, '/openai/v1/chat/completions', { model: 'claude', messages });
  expect(res.status).toBe(200);
  return ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
}

async function respond(mf: Miniflare, input: string, previous?: string) {
  const res = await post(mf, '/openai/v1/responses', { model: 'claude', input, ...(previous ? { previous_response_id: previous } : {}) });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; output_text: string };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clinvk-edge-'));
  script = await bundleWorker();
  for (const name of ['a', 'b'] as const) {
    logs[name] = join(dir, `${name}.log`);
    runners[name] = await startRunner({ apiKeys: ['runner-secret'], mcp: true, env: { FAKE_LOG: logs[name] } });
    // A runner's first /health probes each backend's --version; the edge gives /health 2 s, which a loaded
    // machine can miss (the runner is then counted down). Later ones answer from the probed versions.
    const health = await fetch(`${runners[name].url}/health`);
    await health.text();
    expect(health.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await live?.dispose();
  for (const r of Object.values(runners)) await r?.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('edge state in a Durable Object, across isolates', () => {
  it('a 3-turn OpenAI chat and a Responses chain resume their native sessions on the same runner, each turn in a new isolate; reordering RUNNER_URL keeps the ids working', async () => {
    // Turn 1, isolate 1: a new chat and a new Responses chain (round-robin: one on each runner).
    let mf = await isolate();
    const c1 = await served(() => chat(mf, [{ role: 'user', content: 'chat one' }]));
    const r1 = await served(() => respond(mf, 'resp one'));
    expect(c1.value).toBe('Hello from fake claude (turn 1): chat one');
    expect(r1.value.output_text).toBe('Hello from fake claude (turn 1): resp one');
    expect(resumeOf(c1.line)).toBeUndefined();
    expect(r1.runner).not.toBe(c1.runner);
    // The response id names the runner that answered.
    expect(r1.value.id).toMatch(new RegExp(`^resp_${r1.runner}_[0-9a-f]{32}$`));

    // Turn 2, isolate 2: nothing of isolate 1's memory is left but the Durable Object's.
    mf = await isolate();
    const history = [{ role: 'user', content: 'chat one' }, { role: 'assistant', content: c1.value }];
    const c2 = await served(() => chat(mf, [...history, { role: 'user', content: 'chat two' }]));
    const r2 = await served(() => respond(mf, 'resp two', r1.value.id));
    expect(c2.runner).toBe(c1.runner);
    expect(c2.value).toBe('Hello from fake claude (turn 2): chat two');
    expect(r2.runner).toBe(r1.runner);
    expect(r2.value.output_text).toBe('Hello from fake claude (turn 2): resp two');
    const chatNative = resumeOf(c2.line);
    const respNative = resumeOf(r2.line);
    expect(chatNative).toBeTruthy();
    expect(respNative).toBeTruthy();

    // Turn 3, isolate 3, with the runners listed the other way round: names, not positions.
    mf = await isolate(`b=${runners.b.url},a=${runners.a.url}`);
    history.push({ role: 'user', content: 'chat two' }, { role: 'assistant', content: c2.value });
    const c3 = await served(() => chat(mf, [...history, { role: 'user', content: 'chat three' }]));
    const r3 = await served(() => respond(mf, 'resp three', r2.value.id));
    expect(c3.runner).toBe(c1.runner);
    expect(resumeOf(c3.line)).toBe(chatNative);
    expect(c3.value).toBe('Hello from fake claude (turn 3): chat three');
    expect(r3.runner).toBe(r1.runner);
    expect(resumeOf(r3.line)).toBe(respNative);
    expect(r3.value.output_text).toBe('Hello from fake claude (turn 3): resp three');

    // A stored response is there for GET in yet another isolate.
    mf = await isolate();
    const got = await mf.dispatchFetch(`http://edge.test/openai/v1/responses/${r3.value.id}`, { headers: { authorization: 'Bearer edge-key' } });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { output_text: string }).output_text).toBe(r3.value.output_text);
  }, 240_000);

  it('an MCP session over /mcp lists tools and runs a prompt, every request on the runner that holds it', async () => {
    const mf = live ?? (await isolate());
    const viaWorker = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const req = new Request(input, init);
      const body = req.body ? await req.text() : undefined;
      return (await mf.dispatchFetch(req.url, { method: req.method, headers: Object.fromEntries(req.headers), ...(body ? { body } : {}) })) as unknown as Response;
    };
    const transport = new StreamableHTTPClientTransport(new URL('http://edge.test/mcp'), { fetch: viaWorker, requestInit: { headers: { authorization: 'Bearer edge-key' } } });
    const client = new Client({ name: 'edge-mcp', version: '0' });
    await client.connect(transport);
    // The session id names its runner.
    expect(transport.sessionId).toMatch(/^[ab]-/);
    const owner = transport.sessionId!.slice(0, 1) as 'a' | 'b';
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['clinvk_prompt', 'clinvk_backends']));
    const run = await served(() => client.callTool({ name: 'clinvk_prompt', arguments: { backend: 'claude', prompt: 'over the edge', ephemeral: true } }) as Promise<CallToolResult>);
    expect(run.runner).toBe(owner);
    expect((run.value.content[0] as { text: string }).text).toBe('Hello from fake claude (turn 1): over the edge');
    await client.close();
  }, 60_000);

  it('with one runner killed: new chats go to the other, a chat of the dead runner gets a 503 naming it, /health says it is down', async () => {
    let mf = live ?? (await isolate());
    const first = await served(() => chat(mf, [{ role: 'user', content: 'doomed' }]));
    const doomed = first.runner;
    const other = doomed === 'a' ? 'b' : 'a';
    await runners[doomed].close();

    // A new isolate, as the next request may well land in one.
    mf = await isolate();
    for (const n of [1, 2, 3]) {
      const fresh = await served(() => chat(mf, [{ role: 'user', content: `survivor ${n}` }]));
      expect(fresh.runner).toBe(other);
    }
    const res = await post(mf, '/openai/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'doomed' }, { role: 'assistant', content: first.value }, { role: 'user', content: 'again' }] });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const err = (await res.json()) as { error: { message: string; code: string } };
    expect(err.error.message).toContain(`runner "${doomed}" is down`);
    expect(err.error.code).toBe('backend_unavailable');

    const health = (await (await mf.dispatchFetch('http://edge.test/health')).json()) as { status: string; runners: { name: string; state: string; reason?: string }[] };
    expect(health.status).toBe('degraded');
    expect(health.runners).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: doomed, state: 'down', reason: expect.stringMatching(/refused|health/) }),
        expect.objectContaining({ name: other, state: 'up' }),
      ]),
    );
    // No address leaks into the unauthenticated /health.
    expect(JSON.stringify(health)).not.toContain('127.0.0.1');
  }, 90_000);
});
