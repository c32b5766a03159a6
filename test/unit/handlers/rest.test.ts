// The REST surface through the whole app (middleware included), with a fake Runtime.
import { describe, expect, it } from 'vitest';
import { ClinvkError } from '../../../runtime/contract.ts';
import { runResultSchema } from '../../../handlers/schemas/responses.ts';
import { BACKENDS, fakeRuntime, json, session, testApp, url } from './fake-runtime.ts';

const post = (path: string, body: unknown, headers: Record<string, string> = {}) => new Request(url(path), json(body, headers));

async function readLines(res: Response): Promise<any[]> {
  const text = await res.text();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('POST /api/v1/prompt', () => {
  it('runs and answers the result JSON', async () => {
    const rt = fakeRuntime();
    const res = await testApp(rt).fetch(post('/api/v1/prompt', { backend: 'codex', prompt: 'hi', model: 'm1', workdir: '/tmp', max_turns: 2 }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ session_id: 'sess1', backend: 'codex', exit_code: 0, duration_ms: 7, output: 'Hello world', token_usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } });
    // Every documented key, on success too: error null, warnings [] (runResultSchema is /openapi.json's).
    expect(body.error).toBeNull();
    expect(body.warnings).toEqual([]);
    expect(Object.keys(body).sort()).toEqual(Object.keys(runResultSchema.shape).sort());
    expect(runResultSchema.strict().safeParse(body).error).toBeUndefined();
    expect(rt.calls[0]!.inv).toMatchObject({ backend: 'codex', prompt: 'hi', model: 'm1', workdir: '/tmp', maxTurns: 2 });
  });

  it('uses the default backend from config', async () => {
    const rt = fakeRuntime();
    await testApp(rt).fetch(post('/api/v1/prompt', { prompt: 'hi' }));
    expect(rt.calls[0]!.inv.backend).toBe('claude');
  });

  it('answers 200 with exit_code and error when the run fails', async () => {
    const rt = fakeRuntime(() => ({ error: { code: 'BACKEND_FAILED', message: 'boom', hint: 'look' } }));
    const res = await testApp(rt).fetch(post('/api/v1/prompt', { prompt: 'hi' }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ exit_code: 1, error: { code: 'BACKEND_FAILED', message: 'boom', hint: 'look' } });
    expect(runResultSchema.strict().safeParse(body).error).toBeUndefined();
  });

  it('answers the output alone for output_format text', async () => {
    const res = await testApp(fakeRuntime()).fetch(post('/api/v1/prompt', { prompt: 'hi', output_format: 'text' }));
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-clinvk-exit-code')).toBe('0');
    expect(await res.text()).toBe('Hello world');
  });

  it.each([
    ['bad JSON', '{"prompt":', /not valid JSON/],
    ['wrong type', JSON.stringify({ prompt: 5 }), /^prompt: /],
    ['empty prompt', JSON.stringify({ prompt: '' }), /prompt must not be empty/],
    ['bad enum', JSON.stringify({ prompt: 'x', approval_mode: 'sometimes' }), /^approval_mode: /],
  ])('answers 400 problem JSON for %s', async (_name, body, detail) => {
    const rt = fakeRuntime();
    const res = await testApp(rt).fetch(new Request(url('/api/v1/prompt'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const p = await res.json();
    expect(p).toMatchObject({ status: 400, title: 'Bad Request', code: 'INVALID_INPUT', type: 'urn:clinvk:problem:invalid-input', instance: '/api/v1/prompt' });
    expect(p.detail).toMatch(detail);
    expect(p.request_id).toBe(res.headers.get('x-request-id'));
    expect(rt.calls).toHaveLength(0);
  });

  it.each([
    ['UNKNOWN_BACKEND', 'unknown backend "nope"'],
    ['WORKDIR_FORBIDDEN', '/etc is blocked'],
    ['FLAG_NOT_ALLOWED', '--dangerously-skip-permissions is not allowed'],
  ] as const)('maps an engine refusal %s to 400, for json and for stream-json', async (code, message) => {
    for (const output_format of ['json', 'stream-json']) {
      const rt = fakeRuntime(() => ({ throws: new ClinvkError(code, message, { hint: 'fix it' }) }));
      const res = await testApp(rt).fetch(post('/api/v1/prompt', { prompt: 'x', output_format }));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code, detail: message, hint: 'fix it' });
    }
  });

  it('maps BACKEND_UNAVAILABLE to 503', async () => {
    const rt = fakeRuntime(() => ({ throws: new ClinvkError('BACKEND_UNAVAILABLE', 'gemini is not installed') }));
    const res = await testApp(rt).fetch(post('/api/v1/prompt', { prompt: 'x', backend: 'gemini' }));
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe('BACKEND_UNAVAILABLE');
  });

  it('streams SPEC §2 events as NDJSON for stream-json', async () => {
    const rt = fakeRuntime(() => ({ error: { code: 'BACKEND_FAILED', message: 'late failure' } }));
    const res = await testApp(rt).fetch(post('/api/v1/prompt', { backend: 'claude', prompt: 'x', output_format: 'stream-json' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = await readLines(res);
    expect(lines.map((l) => l.type)).toEqual(['init', 'message', 'message', 'error', 'done']);
    expect(lines[0]).toMatchObject({ backend: 'claude', session_id: 'sess1', content: { model: 'fake-model' } });
    expect(lines[1]).toMatchObject({ session_id: 'sess1', content: { text: 'Hello' } });
    expect(lines[3]).toMatchObject({ content: { code: 'BACKEND_FAILED', message: 'late failure' } });
    expect(lines[4].content).toMatchObject({ exit_code: 1, output: 'Hello world' });
  });

  it('sends the first NDJSON line before the run finishes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rt = fakeRuntime(() => ({ gate }));
    const res = await testApp(rt).fetch(post('/api/v1/prompt', { prompt: 'x', output_format: 'stream-json' }));
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(JSON.parse(first.trim())).toMatchObject({ type: 'init' });
    release();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toContain('"type":"done"');
  });

  it("aborts the run's signal when the client aborts the request", async () => {
    const rt = fakeRuntime(() => ({ chunks: ['a', 'b', 'c', 'd'], delayMs: 30 }));
    const ac = new AbortController();
    const res = await testApp(rt).fetch(new Request(url('/api/v1/prompt'), { ...json({ prompt: 'x', output_format: 'stream-json' }), signal: ac.signal }));
    const reader = res.body!.getReader();
    await reader.read();
    expect(rt.calls[0]!.signal!.aborted).toBe(false);
    ac.abort();
    await reader.cancel().catch(() => undefined);
    expect(rt.calls[0]!.signal!.aborted).toBe(true);
  });
});

describe('sessions and backends', () => {
  const sessions = [session({ id: 'aaa11111', backend: 'claude' }), session({ id: 'aaa22222', backend: 'codex', status: 'active' }), session({ id: 'bbb33333', backend: 'codex' })];

  it('lists sessions with filters and paging', async () => {
    const app = testApp(fakeRuntime(undefined, { sessions }));
    const all = await (await app.fetch(new Request(url('/api/v1/sessions')))).json();
    expect(all).toMatchObject({ total: 3, limit: 50, offset: 0 });
    expect(all.sessions[0]).toMatchObject({ id: 'aaa11111', working_dir: '/tmp', token_usage: { total_tokens: 0 } });
    const page = await (await app.fetch(new Request(url('/api/v1/sessions?backend=codex&limit=1&offset=1')))).json();
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(page.sessions.map((s: { id: string }) => s.id)).toEqual(['bbb33333']);
    const active = await (await app.fetch(new Request(url('/api/v1/sessions?status=active')))).json();
    expect(active.total).toBe(1);
  });

  it('rejects a bad query with 400', async () => {
    const res = await testApp(fakeRuntime()).fetch(new Request(url('/api/v1/sessions?limit=-3')));
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toMatch(/^limit: /);
  });

  it('gets, deletes, and 404s a session', async () => {
    const rt = fakeRuntime(undefined, { sessions });
    const app = testApp(rt);
    expect(await (await app.fetch(new Request(url('/api/v1/sessions/bbb')))).json()).toMatchObject({ id: 'bbb33333', backend: 'codex' });
    const ambiguous = await app.fetch(new Request(url('/api/v1/sessions/aaa')));
    expect(ambiguous.status).toBe(400);
    const del = await app.fetch(new Request(url('/api/v1/sessions/bbb33333'), { method: 'DELETE' }));
    expect(await del.json()).toEqual({ id: 'bbb33333', deleted: true });
    expect(rt.sessions.all).toHaveLength(2);
    const gone = await app.fetch(new Request(url('/api/v1/sessions/bbb33333')));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND', title: 'Not Found' });
    expect((await app.fetch(new Request(url('/api/v1/sessions/zzzzzzzz'), { method: 'DELETE' }))).status).toBe(404);
  });

  it('deletes only by the full id or a prefix of at least 8 characters; reads keep short prefixes', async () => {
    const rt = fakeRuntime(undefined, { sessions: [session({ id: 'ccc44444dddd5555' }), session({ id: 'eee66666ffff7777' })] });
    const app = testApp(rt);
    expect((await app.fetch(new Request(url('/api/v1/sessions/ccc')))).status).toBe(200);
    const short = await app.fetch(new Request(url('/api/v1/sessions/ccc4444'), { method: 'DELETE' }));
    expect(short.status).toBe(400);
    expect(short.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await short.json()).toMatchObject({ code: 'INVALID_INPUT', detail: expect.stringMatching(/"ccc4444" is too short to delete a session: give its full id or at least 8 characters/) });
    expect(rt.sessions.all).toHaveLength(2);
    const eight = await app.fetch(new Request(url('/api/v1/sessions/ccc44444'), { method: 'DELETE' }));
    expect(await eight.json()).toEqual({ id: 'ccc44444dddd5555', deleted: true });
    const full = await app.fetch(new Request(url('/api/v1/sessions/eee66666ffff7777'), { method: 'DELETE' }));
    expect(full.status).toBe(200);
    expect(rt.sessions.all).toHaveLength(0);
  });

  it('lists backends', async () => {
    const body = await (await testApp(fakeRuntime()).fetch(new Request(url('/api/v1/backends')))).json();
    expect(body.backends).toHaveLength(BACKENDS.length);
    expect(body.backends[0]).toEqual({ name: 'claude', available: true, enabled: true, version: '2.1.0' });
    expect(body.backends[2]).toMatchObject({ name: 'gemini', available: false, reason: 'gemini is not on PATH' });
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await testApp(fakeRuntime()).fetch(new Request(url('/api/v1/nothing')));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});
