// RUNNER_URL's named runners, the router, and the remote runtime routing around a dead runner.
import { describe, expect, it } from 'vitest';
import { isClinvkError, type RunEvent } from '../../../runtime/contract.ts';
import { consoleLogger, memoryMetrics } from '../../../runtime/edge-support.ts';
import { createRemoteRuntime } from '../../../runtime/remote.ts';
import { memoryRunnerHealth, refreshStates } from '../../../runtime/runner-health.ts';
import { parseRunnerList, runnerTag, splitRunnerId } from '../../../runtime/runner-list.ts';
import { runEventToJson } from '../../../runtime/wire.ts';
import { collectEvents } from '../collect-events.ts';

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
};

describe('RUNNER_URL', () => {
  it('takes name=url pairs, and bare URLs (the older form) named by their tag', () => {
    expect(parseRunnerList(' a=https://a.example/ , b_2=http://10.0.0.2:8080')).toEqual([
      { name: 'a', url: 'https://a.example' },
      { name: 'b_2', url: 'http://10.0.0.2:8080' },
    ]);
    expect(parseRunnerList('http://127.0.0.1:8080')).toEqual([{ name: runnerTag('http://127.0.0.1:8080'), url: 'http://127.0.0.1:8080' }]);
    // A query's `=` is not a name.
    expect(parseRunnerList('https://r.example/?x=1')[0]!.url).toBe('https://r.example/?x=1');
  });

  it.each([
    ['', /no runner is set/],
    ['a=ftp://x', /runner "a" must use http or https/],
    ['a=not a url', /runner "a" has no valid URL/],
    ['bad-name=https://x', /runner name "bad-name" must be/],
    ['a=https://x,a=https://y', /runner name "a" is used twice/],
  ])('refuses %j, naming the problem', (text, message) => {
    const err = thrown(() => parseRunnerList(text));
    expect(isClinvkError(err) && err.code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toMatch(/^RUNNER_URL is invalid: /);
    expect((err as Error).message).toMatch(message);
  });

  it('splits an id on a known runner name only', () => {
    expect(splitRunnerId('a-123e4567-e89b', ['a', 'b'])).toEqual({ runner: 'a', id: '123e4567-e89b' });
    expect(splitRunnerId('123e4567-e89b', ['a', 'b'])).toEqual({ id: '123e4567-e89b' });
  });
});

describe('runner health', () => {
  it('checks a runner again only once its state is older than the interval', async () => {
    let probes = 0;
    let now = 1000;
    const fetchHealth = async (url: string) => {
      probes++;
      if (url.startsWith('http://b')) throw new TypeError('connect ECONNREFUSED');
      return new Response('{}', { status: url.startsWith('http://c') ? 503 : 200 });
    };
    const runners = parseRunnerList('a=http://a,b=http://b,c=http://c');
    const first = await refreshStates(runners, {}, { fetch: fetchHealth, now: () => now, intervalMs: 5000 });
    expect(first).toEqual({
      a: { state: 'up', checkedAt: 1000 },
      b: { state: 'down', checkedAt: 1000, reason: 'it refused the connection' },
      c: { state: 'down', checkedAt: 1000, reason: 'its /health answered 503' },
    });
    now = 5999;
    expect(await refreshStates(runners, first, { fetch: fetchHealth, now: () => now, intervalMs: 5000 })).toEqual(first);
    expect(probes).toBe(3);
    now = 6000;
    await refreshStates(runners, first, { fetch: fetchHealth, now: () => now, intervalMs: 5000 });
    expect(probes).toBe(6);
  });
});

function fakeRunner(name: string, seen: string[], state: { down: boolean }) {
  return async (url: string, init?: RequestInit) => {
    if (state.down) throw new TypeError('fetch failed: connection refused');
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    seen.push(`${name}:${String(body.session_id ?? 'new')}`);
    const sessionId = String(body.session_id ?? `${name}sess`);
    const result = { backend: 'claude', sessionId, output: `hi from ${name}`, exitCode: 0, durationMs: 1, usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }, warnings: [] };
    const events: RunEvent[] = [{ type: 'init', backend: 'claude', sessionId }, { type: 'done', result }];
    return new Response(events.map((e) => `${JSON.stringify(runEventToJson(e, { backend: 'claude', sessionId }))}\n`).join(''));
  };
}

describe('remote runtime with named runners', () => {
  it('tags session ids with the name, routes new runs around a dead runner, and answers a turn of its session with a 503 naming it', async () => {
    const seen: string[] = [];
    const b = { down: false };
    const table: Record<string, ReturnType<typeof fakeRunner>> = { 'http://a': fakeRunner('a', seen, { down: false }), 'http://b': fakeRunner('b', seen, b) };
    const rt = createRemoteRuntime({
      runners: parseRunnerList('a=http://a,b=http://b'),
      fetch: async (input, init) => table[Object.keys(table).find((k) => String(input).startsWith(k))!]!(String(input), init),
      health: memoryRunnerHealth({ cooldownMs: 10_000 }),
      log: consoleLogger({}, 'error'),
      metrics: memoryMetrics(),
      version: 't',
    });
    const done = async (sessionId?: string) => ((await collectEvents(rt.run({ backend: 'claude', prompt: 'x', ...(sessionId ? { sessionId } : {}) }))).at(-1) as Extract<RunEvent, { type: 'done' }>).result;
    expect((await done()).sessionId).toBe('a-asess');
    expect((await done()).sessionId).toBe('b-bsess');
    b.down = true;
    expect((await done()).sessionId).toBe('a-asess');
    // Round-robin picks b first now: it refuses, so a takes the run and b is marked down.
    expect((await done()).sessionId).toBe('a-asess');
    expect((await rt.runners()).map((r) => [r.name, r.state, r.reason])).toEqual([['a', 'up', undefined], ['b', 'down', 'it refused the connection']]);
    const err = await done('b-bsess').catch((e: unknown) => e);
    expect(isClinvkError(err) && err.code).toBe('BACKEND_UNAVAILABLE');
    expect((err as Error).message).toContain('runner "b" is down (it refused the connection)');
    expect((err as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBe(10);
    // The turn went nowhere else.
    expect(seen).toEqual(['a:new', 'b:new', 'a:new', 'a:new']);
    expect((await done('a-asess')).sessionId).toBe('a-asess');
  });
});
