// The console's static files through the whole app (Request in, Response out): headers, gzip,
// revalidation, the server.console switch, and the API key rule (the page is open, the APIs are not).
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP, type ConsoleAssets } from '../../../handlers/console/serve.ts';
import { fakeRuntime, testApp, url } from './fake-runtime.ts';

const asset = (type: string, body: string, immutable: boolean) => ({ type, etag: `"e-${body.length}"`, immutable, body, gzip: gzipSync(body).toString('base64') });
const ASSETS: ConsoleAssets = {
  '/': asset('text/html; charset=utf-8', '<!doctype html><script type="module" src="/console/app-1.js"></script>', false),
  '/console/app-1.js': asset('text/javascript; charset=utf-8', 'console.log("hi")', true),
};
const app = (opts: Parameters<typeof testApp>[1] = {}) => testApp(fakeRuntime(), { console: ASSETS, ...opts });

describe('web console files', () => {
  it('GET / is the page, with a CSP that allows no inline script and no other origin', async () => {
    const res = await app().fetch(new Request(url('/')));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe(ASSETS['/']!.body);
  });

  it('hashed files are cached for good; gzip when the client accepts it, plain otherwise', async () => {
    const a = app();
    const gz = await a.fetch(new Request(url('/console/app-1.js'), { headers: { 'accept-encoding': 'br, gzip;q=0.8' } }));
    expect(gz.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe('console.log("hi")');
    const refused = await a.fetch(new Request(url('/console/app-1.js'), { headers: { 'accept-encoding': 'gzip;q=0, br' } }));
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect(await refused.text()).toBe('console.log("hi")');
  });

  it('answers 304 to a matching If-None-Match, and HEAD without a body', async () => {
    const a = app();
    const etag = (await a.fetch(new Request(url('/')))).headers.get('etag')!;
    const again = await a.fetch(new Request(url('/'), { headers: { 'if-none-match': `W/"x", ${etag}` } }));
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    const head = await a.fetch(new Request(url('/'), { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });

  it('unknown console paths and other methods are 404s, not the page', async () => {
    const a = app();
    expect((await a.fetch(new Request(url('/console/nope.js')))).status).toBe(404);
    expect((await a.fetch(new Request(url('/console/__proto__')))).status).toBe(404);
    expect((await a.fetch(new Request(url('/'), { method: 'POST', body: 'x' }))).status).toBe(404);
  });

  it('server.console: false turns it off', async () => {
    const res = await app({ server: { console: false } }).fetch(new Request(url('/')));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  it('with API keys the page loads without one, and the APIs it calls still need it', async () => {
    const a = app({ apiKeys: ['k1'] });
    expect((await a.fetch(new Request(url('/')))).status).toBe(200);
    expect((await a.fetch(new Request(url('/console/app-1.js')))).status).toBe(200);
    expect((await a.fetch(new Request(url('/api/v1/backends')))).status).toBe(401);
    expect((await a.fetch(new Request(url('/console/nope.js')))).status).toBe(404);
    expect((await a.fetch(new Request(url('/api/v1/backends'), { headers: { authorization: 'Bearer k1' } }))).status).toBe(200);
  });
});
