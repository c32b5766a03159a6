// Every middleware through the whole app: request id, client IP, CORS, body limit, rate limit,
// auth, timeout, recovery, request log and metrics, and the per-surface error dialects.
import { describe, expect, it } from 'vitest';
import { realClientIp, ipMatches } from '../../../handlers/middleware/client-ip.ts';
import { constantTimeEqual, createKeyChecker } from '../../../handlers/middleware/credentials.ts';
import { createTokenBuckets } from '../../../handlers/middleware/token-bucket.ts';
import { fakeRuntime, json, testApp, url, type FakeRuntime } from './fake-runtime.ts';

const get = (path: string, headers: Record<string, string> = {}) => new Request(url(path), { headers });

describe('request id', () => {
  it('echoes a sane X-Request-Id and mints one otherwise', async () => {
    const app = testApp(fakeRuntime());
    expect((await app.fetch(get('/api/v1/backends', { 'x-request-id': 'abc-123' }))).headers.get('x-request-id')).toBe('abc-123');
    const minted = (await app.fetch(get('/api/v1/backends', { 'x-request-id': 'bad id\twith junk' }))).headers.get('x-request-id');
    expect(minted).toMatch(/^[0-9a-f-]{36}$/);
    expect((await app.fetch(get('/nope'))).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('client ip', () => {
  it('believes proxy headers only from trusted proxies', () => {
    const h = new Headers({ 'x-forwarded-for': '1.2.3.4, 10.0.0.7', 'x-real-ip': '9.9.9.9' });
    expect(realClientIp('5.6.7.8', h, ['10.0.0.0/8'])).toBe('5.6.7.8');
    expect(realClientIp('10.0.0.2', h, ['10.0.0.0/8'])).toBe('1.2.3.4');
    expect(realClientIp('::ffff:10.0.0.2', h, ['10.0.0.0/8'])).toBe('1.2.3.4');
    expect(realClientIp('10.0.0.2', new Headers({ 'x-real-ip': '9.9.9.9' }), ['10.0.0.2'])).toBe('9.9.9.9');
    expect(ipMatches('192.168.1.5', '192.168.0.0/16')).toBe(true);
    expect(ipMatches('192.169.1.5', '192.168.0.0/16')).toBe(false);
    expect(ipMatches('::1', '::1')).toBe(true);
  });

  it('keys the rate limit on the real client address behind a trusted proxy', async () => {
    const app = testApp(fakeRuntime(), { clientIp: '10.0.0.1', server: { trusted_proxies: ['10.0.0.1'], rate_limit_enabled: true, rate_limit_burst: 1, rate_limit_rps: 0.01 } });
    const as = (ip: string) => app.fetch(get('/api/v1/backends', { 'x-forwarded-for': ip }));
    expect((await as('1.1.1.1')).status).toBe(200);
    expect((await as('1.1.1.1')).status).toBe(429);
    expect((await as('2.2.2.2')).status).toBe(200);
  });
});

describe('CORS', () => {
  it('answers a preflight from a local origin before auth', async () => {
    const app = testApp(fakeRuntime(), { apiKeys: ['k1'] });
    const res = await app.fetch(
      new Request(url('/openai/v1/chat/completions'), {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os, x-evil' },
      }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const allowed = res.headers.get('access-control-allow-headers')!;
    expect(allowed).toContain('authorization');
    expect(allowed).toContain('x-api-key');
    expect(allowed).toContain('anthropic-version');
    expect(allowed).toContain('mcp-session-id');
    expect(allowed).toContain('x-stainless-os');
    expect(allowed).not.toContain('x-evil');
    expect(res.headers.get('access-control-max-age')).toBe('300');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses foreign origins by default and allows configured ones', async () => {
    const pre = (origin: string) => new Request(url('/api/v1/prompt'), { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const local = testApp(fakeRuntime());
    expect((await local.fetch(pre('https://evil.example'))).headers.get('access-control-allow-origin')).toBeNull();
    const configured = testApp(fakeRuntime(), { server: { cors_allowed_origins: ['https://app.example'], cors_allow_credentials: true } });
    const ok = await configured.fetch(pre('https://app.example'));
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await configured.fetch(pre('http://localhost:3000'))).headers.get('access-control-allow-origin')).toBeNull();
    const any = testApp(fakeRuntime(), { server: { cors_allowed_origins: ['*'] } });
    expect((await any.fetch(pre('https://x.example'))).headers.get('access-control-allow-origin')).toBe('*');
  });

  it('puts CORS headers on error responses and keeps their status', async () => {
    const rt = fakeRuntime();
    const app = testApp(rt, { apiKeys: ['k1'], server: { max_request_body_bytes: 10 } });
    const origin = { origin: 'http://127.0.0.1:8080' };
    const cases: [Request, number][] = [
      [get('/api/v1/backends', origin), 401],
      [get('/api/v1/nope', { ...origin, authorization: 'Bearer k1' }), 404],
      [new Request(url('/api/v1/prompt'), json({ prompt: 'a long prompt' }, { ...origin, authorization: 'Bearer k1' })), 413],
    ];
    for (const [req, status] of cases) {
      const res = await app.fetch(req);
      expect(res.status).toBe(status);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
      expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
      expect(res.headers.get('vary')).toContain('Origin');
    }
  });
});

describe('auth', () => {
  const keyed = (rt: FakeRuntime = fakeRuntime()) => testApp(rt, { apiKeys: ['k1', 'second-key'] });

  it('401 with WWW-Authenticate without a key or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope' }, { 'x-api-key': 'k' }, { authorization: 'Basic k1' }];
    for (const headers of attempts) {
      const res = await keyed().fetch(get('/api/v1/backends', headers));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="clinvk"');
      expect(await res.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('accepts Bearer and X-Api-Key; /health and /metrics need no key', async () => {
    const app = keyed();
    expect((await app.fetch(get('/api/v1/backends', { authorization: 'Bearer second-key' }))).status).toBe(200);
    expect((await app.fetch(get('/api/v1/backends', { 'x-api-key': 'k1' }))).status).toBe(200);
    expect((await app.fetch(get('/health'))).status).toBe(200);
    expect((await app.fetch(get('/metrics'))).status).toBe(404); // open, but metrics are off
  });

  it("answers in each surface's own error format", async () => {
    const app = keyed();
    const oa = await app.fetch(new Request(url('/openai/v1/chat/completions'), json({})));
    expect(oa.status).toBe(401);
    expect(await oa.json()).toEqual({ error: { message: expect.stringContaining('API key'), type: 'invalid_request_error', param: null, code: 'unauthorized' } });
    const an = await app.fetch(new Request(url('/anthropic/v1/messages'), json({})));
    expect(await an.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: expect.stringContaining('API key') } });
  });

  it('compares keys by digest, whatever their length', async () => {
    const check = createKeyChecker(['alpha', 'beta']);
    expect(await check('beta')).toBe(1);
    expect(await check('alph')).toBe(-1);
    expect(await check(undefined)).toBe(-1);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
  });
});

describe('body size limit', () => {
  const app = () => testApp(fakeRuntime(), { server: { max_request_body_bytes: 64 } });

  it('413 from Content-Length', async () => {
    const res = await app().fetch(new Request(url('/api/v1/prompt'), json({ prompt: 'x'.repeat(100) })));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
  });

  it('a Content-Length that is not a number is a 400 in the surface\'s format, not a 413', async () => {
    const bad = (path: string) => new Request(url(path), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': 'abc' }, body: '{}' });
    const rest = await app().fetch(bad('/api/v1/prompt'));
    expect(rest.status).toBe(400);
    expect(await rest.json()).toMatchObject({ code: 'INVALID_INPUT' });
    const openai = await app().fetch(bad('/openai/v1/chat/completions'));
    expect(openai.status).toBe(400);
    expect(await openai.json()).toMatchObject({ error: { message: expect.stringContaining('Content-Length') } });
  });

  it('413 while reading a chunked body, without reading it all', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        if (pulled > 100) return c.close();
        c.enqueue(new TextEncoder().encode('x'.repeat(40)));
      },
    });
    const res = await app().fetch(new Request(url('/openai/v1/chat/completions'), { method: 'POST', body, duplex: 'half' } as RequestInit));
    expect(res.status).toBe(413);
    expect((await res.json()).error.type).toBe('invalid_request_error');
    expect(pulled).toBeLessThan(10);
  });

  it('passes a small chunked body through', async () => {
    const rt = fakeRuntime();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"prompt":'));
        c.enqueue(new TextEncoder().encode('"hi"}'));
        c.close();
      },
    });
    const res = await testApp(rt, { server: { max_request_body_bytes: 64 } }).fetch(new Request(url('/api/v1/prompt'), { method: 'POST', body, duplex: 'half' } as RequestInit));
    expect(res.status).toBe(200);
    expect(rt.calls[0]!.inv.prompt).toBe('hi');
  });
});

describe('rate limit', () => {
  it('429 with Retry-After and RateLimit-* headers, per key', async () => {
    let t = 0;
    const app = testApp(fakeRuntime(), { now: () => t, apiKeys: ['a', 'b'], server: { rate_limit_enabled: true, rate_limit_rps: 1, rate_limit_burst: 2 } });
    const as = (key: string) => app.fetch(get('/api/v1/backends', { authorization: `Bearer ${key}` }));
    const first = await as('a');
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect((await as('a')).status).toBe(200);
    const limited = await as('a');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await as('b')).status).toBe(200);
    t += 1000;
    expect((await as('a')).status).toBe(200);
  });

  it('is off by default', async () => {
    const app = testApp(fakeRuntime());
    for (let i = 0; i < 30; i++) expect((await app.fetch(get('/api/v1/backends'))).headers.get('ratelimit-limit')).toBeNull();
  });

  it('token buckets forget idle clients', () => {
    let t = 0;
    const b = createTokenBuckets({ rps: 10, burst: 2, now: () => t, maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) b.take(k);
    t = 10_000;
    b.take('d');
    expect(b.size).toBe(1);
  });
});

describe('timeout', () => {
  it("aborts the run's signal after server.request_timeout_secs", async () => {
    const rt = fakeRuntime(() => ({ chunks: ['a', 'b', 'c', 'd', 'e'], delayMs: 40 }));
    const res = await testApp(rt, { server: { request_timeout_secs: 0.06 } }).fetch(new Request(url('/api/v1/prompt'), json({ prompt: 'x' })));
    const body = await res.json();
    expect(rt.calls[0]!.signal!.aborted).toBe(true);
    expect(body.error.code).toBe('CANCELLED');
  });
});

describe('recovery, request log and metrics', () => {
  it('turns an unexpected exception into a 500 without a stack, logged with the request id', async () => {
    const rt = fakeRuntime(() => ({ throws: new TypeError('secret internals at foo.ts:12') }));
    const res = await testApp(rt).fetch(new Request(url('/api/v1/prompt'), json({ prompt: 'x' }, { 'x-request-id': 'req-42' })));
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toMatchObject({ status: 500, code: 'INTERNAL', request_id: 'req-42' });
    expect(JSON.stringify(body)).not.toContain('secret internals');
    const line = rt.logger.lines.find((l) => l.level === 'error')!;
    expect(line.obj).toMatchObject({ request_id: 'req-42', route: '/api/v1/prompt' });
  });

  it('renders an exception on the OpenAI surface in its format', async () => {
    const rt = fakeRuntime(() => ({ throws: new TypeError('bug') }));
    const res = await testApp(rt).fetch(new Request(url('/openai/v1/chat/completions'), json({ model: 'claude', messages: [{ role: 'user', content: 'x' }] })));
    expect(res.status).toBe(500);
    expect((await res.json()).error.type).toBe('server_error');
  });

  it('logs one line per request and labels metrics by route pattern', async () => {
    const rt = fakeRuntime(undefined, { sessions: [] });
    const app = testApp(rt, { server: { metrics_enabled: true } });
    await app.fetch(get('/api/v1/sessions/deadbeef', { authorization: 'Bearer sekrit' }));
    await app.fetch(get('/api/v1/sessions/cafebabe'));
    await app.fetch(get('/no/such/path'));
    const info = rt.logger.lines.filter((l) => l.level === 'info');
    expect(info).toHaveLength(3);
    expect(info[0]!.obj).toMatchObject({ method: 'GET', route: '/api/v1/sessions/:id', status: 404, request_id: expect.any(String) });
    expect(JSON.stringify(rt.logger.lines)).not.toContain('sekrit');
    const text = await (await app.fetch(get('/metrics'))).text();
    expect(text).toContain('clinvk_requests_total{method="GET",route="/api/v1/sessions/:id",status="404"} 2');
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain('deadbeef');
  });
});
