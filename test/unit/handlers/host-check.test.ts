// DNS rebinding: the Host check through the whole app, on every path (routes that exist, /mcp, paths
// that do not exist yet such as a console at `/`), in each surface's own error format.
import { describe, expect, it } from 'vitest';
import { hostAllowed } from '../../../handlers/middleware/host-check.ts';
import { createMcpHttpHandler } from '../../../mcp/http.ts';
import { fakeRuntime, json, testApp } from './fake-runtime.ts';

/** As the Node server builds it: the URL and the Host header both name what the client sent. */
const at = (host: string, path: string, init: RequestInit = {}) => {
  const headers = new Headers(init.headers);
  headers.set('host', host);
  return new Request(`http://${host.includes('@') ? '127.0.0.1' : host}${path}`, { ...init, headers });
};

const served = (server: Record<string, unknown> = {}, listenHost = '127.0.0.1') =>
  testApp(fakeRuntime(), { listenHost, server, mcpFactory: (rt) => createMcpHttpHandler(rt, { defaultBackend: 'claude' }) });

describe('host allow-list', () => {
  it('accepts localhost, IP addresses and the bound host, on any port', () => {
    for (const h of ['localhost', 'localhost:8080', 'LOCALHOST.', 'app.localhost:3000', '127.0.0.1:9', '[::1]:8080', '10.1.2.3', 'box.lan:80']) {
      expect(hostAllowed(h, ['box.lan']), h).toBe(true);
    }
    for (const h of ['evil.example', 'evil.example:8080', 'localhost.evil.example', '127.0.0.1.evil.example', 'evil.example@127.0.0.1', '', 'a b', '2130706433']) {
      expect(hostAllowed(h, ['box.lan']), h).toBe(false);
    }
  });

  it('adds configured names and *.suffix patterns; `*` turns the check off', () => {
    expect(hostAllowed('api.example.com:443', ['API.example.com'])).toBe(true);
    expect(hostAllowed('a.b.example.com', ['*.example.com'])).toBe(true);
    expect(hostAllowed('example.com.evil.test', ['*.example.com'])).toBe(false);
    expect(hostAllowed('anything.at.all', ['*'])).toBe(true);
  });

  it('refuses a rebound name with 403 in each surface’s format, on every route', async () => {
    const app = served();
    const rest = await app.fetch(at('evil.example:8080', '/api/v1/prompt', json({ prompt: 'hi' })));
    expect(rest.status).toBe(403);
    expect(rest.headers.get('content-type')).toBe('application/problem+json');
    expect(await rest.json()).toMatchObject({ code: 'FORBIDDEN', detail: expect.stringContaining('evil.example') });

    const openai = await app.fetch(at('evil.example', '/openai/v1/chat/completions', json({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] })));
    expect(openai.status).toBe(403);
    expect(await openai.json()).toMatchObject({ error: { type: 'permission_error', code: 'forbidden' } });

    const anthropic = await app.fetch(at('evil.example', '/anthropic/v1/messages', json({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })));
    expect(anthropic.status).toBe(403);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });

    const mcp = await app.fetch(at('evil.example', '/mcp', json({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })));
    expect(mcp.status).toBe(403);
    expect(await mcp.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, data: { code: 'FORBIDDEN' } } });

    // Paths with no route (a future console at `/`), probes and preflights are covered too.
    for (const req of [at('evil.example', '/'), at('evil.example', '/health'), at('evil.example', '/api/v1/sessions', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } })]) {
      expect((await app.fetch(req)).status, new URL(req.url).pathname).toBe(403);
    }
    // The raw header decides, not the URL built from it.
    expect((await app.fetch(at('evil.example@127.0.0.1', '/health'))).status).toBe(403);
  });

  it('answers the names it knows, and everything when allowed_hosts is `*`', async () => {
    const app = served({ allowed_hosts: ['clinvk.example.com'] }, 'box.lan');
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:1', 'box.lan:8080', 'clinvk.example.com']) {
      expect((await app.fetch(at(host, '/health'))).status, host).toBe(200);
    }
    expect((await served({ allowed_hosts: ['*'] }).fetch(at('evil.example', '/health'))).status).toBe(200);
  });

  it('is off without a bound host unless configured (the Worker), on when configured', async () => {
    expect((await testApp(fakeRuntime()).fetch(at('clinvk.workers.dev', '/health'))).status).toBe(200);
    const edge = testApp(fakeRuntime(), { server: { allowed_hosts: ['clinvk.workers.dev'] } });
    expect((await edge.fetch(at('clinvk.workers.dev', '/health'))).status).toBe(200);
    expect((await edge.fetch(at('evil.example', '/health'))).status).toBe(403);
  });
});
