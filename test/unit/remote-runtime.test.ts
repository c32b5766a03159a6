// The Worker's remote runtime against fake runners speaking the /api/v1/prompt NDJSON stream.
import { describe, expect, it } from 'vitest';
import { emptyUsage, type Invocation, type RunEvent } from '../../runtime/contract.ts';
import { consoleLogger, memoryMetrics } from '../../runtime/edge-support.ts';
import { collectEvents } from './collect-events.ts';
import { createRemoteRuntime, runnerTag } from '../../runtime/remote.ts';
import { runEventToJson } from '../../runtime/wire.ts';

type Seen = { url: string; body: Record<string, unknown>; auth: string | null };

function fakeRunner(name: string, seen: Seen[], opts: { down?: boolean } = {}) {
  return async (url: string, init: RequestInit) => {
    if (opts.down) throw new TypeError('fetch failed: connection refused');
    const body = JSON.parse(String(init.body)) as Record<string, unknown>;
    seen.push({ url, body, auth: new Headers(init.headers).get('authorization') });
    const sessionId = String(body.session_id ?? `${name}sess`);
    const events: RunEvent[] = [
      { type: 'init', backend: String(body.backend), sessionId },
      { type: 'text', text: `hi from ${name}` },
      { type: 'done', result: { backend: String(body.backend), sessionId, output: `hi from ${name}`, exitCode: 0, durationMs: 3, usage: { ...emptyUsage(), inputTokens: 5, outputTokens: 7 }, warnings: [] } },
    ];
    const lines = events.flatMap((e) => [runEventToJson(e, { backend: String(body.backend), sessionId })].flat()).map((l) => `${JSON.stringify(l)}\n`);
    lines.splice(1, 0, '{"type":"heartbeat"}\n');
    return new Response(lines.join(''), { headers: { 'content-type': 'application/x-ndjson' } });
  };
}

const route = (table: Record<string, (url: string, init: RequestInit) => Promise<Response>>) => async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = String(input);
  const base = Object.keys(table).find((b) => url.startsWith(b))!;
  return table[base]!(url, init ?? {});
};

const inv = (extra: Partial<Invocation> = {}): Invocation => ({ backend: 'claude', prompt: 'hello', ...extra });

describe('remote runtime', () => {
  it('streams a run from the runner and tags the session id with the runner', async () => {
    const seen: Seen[] = [];
    const rt = createRemoteRuntime({ runners: ['http://a'], token: 'tok', fetch: route({ 'http://a': fakeRunner('a', seen) }), log: consoleLogger({}, 'error'), metrics: memoryMetrics(), version: 't' });
    const events = await collectEvents(rt.run(inv({ model: 'opus', timeoutMs: 1500 })));
    expect(events.map((e) => e.type)).toEqual(['init', 'text', 'done']);
    const done = events.at(-1) as Extract<RunEvent, { type: 'done' }>;
    expect(done.result.output).toBe('hi from a');
    expect(done.result.usage.outputTokens).toBe(7);
    expect(done.result.sessionId).toBe(`${runnerTag('http://a')}-asess`);
    expect(seen[0]).toMatchObject({ url: 'http://a/api/v1/prompt', auth: 'Bearer tok', body: { backend: 'claude', prompt: 'hello', model: 'opus', timeout_secs: 1.5, output_format: 'stream-json' } });
  });

  it('passes the output schema and the effort on to the runner, which checks and applies them', async () => {
    const seen: Seen[] = [];
    const rt = createRemoteRuntime({ runners: ['http://a'], fetch: route({ 'http://a': fakeRunner('a', seen) }), log: consoleLogger({}, 'error'), metrics: memoryMetrics(), version: 't' });
    await collectEvents(rt.run(inv({ outputSchema: { type: 'object' }, effort: 'high' })));
    expect(seen[0]!.body).toMatchObject({ output_schema: { type: 'object' }, effort: 'high' });
  });

  it('spreads runs, skips a runner that fails, and sends a resume to the runner owning the session', async () => {
    const seen: Seen[] = [];
    const rt = createRemoteRuntime({
      runners: ['http://a', 'http://b', 'http://c'],
      fetch: route({ 'http://a': fakeRunner('a', seen), 'http://b': fakeRunner('b', seen, { down: true }), 'http://c': fakeRunner('c', seen) }),
      log: consoleLogger({}, 'error'),
      metrics: memoryMetrics(),
      version: 't',
    });
    const outputs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const done = (await collectEvents(rt.run(inv()))).at(-1) as Extract<RunEvent, { type: 'done' }>;
      outputs.push(done.result.output);
    }
    expect(outputs).toEqual(['hi from a', 'hi from c', 'hi from c', 'hi from a']);
    await collectEvents(rt.run(inv({ sessionId: `${runnerTag('http://c')}-csess` })));
    expect(seen.at(-1)).toMatchObject({ url: 'http://c/api/v1/prompt', body: { session_id: 'csess' } });
  });

  it('reports a runner problem as a thrown ClinvkError with the runner code', async () => {
    const rt = createRemoteRuntime({
      runners: ['http://a'],
      fetch: async () => Response.json({ type: 'about:blank', title: 'Bad Request', status: 400, detail: 'unknown backend "x"', code: 'UNKNOWN_BACKEND' }, { status: 400 }),
      log: consoleLogger({}, 'error'),
      metrics: memoryMetrics(),
      version: 't',
    });
    await expect(collectEvents(rt.run(inv({ backend: 'x' })))).rejects.toMatchObject({ code: 'UNKNOWN_BACKEND', message: 'unknown backend "x"' });
  });
});
