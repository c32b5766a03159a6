// The Worker build serves the web console too: the same pure handler and embedded files in workerd,
// gzip included (sent as-is, not compressed twice). Needs the build (handlers/console/assets.gen.js).
import { gunzipSync } from 'node:zlib';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ASSETS } from '../../handlers/console/assets.gen.js';
import { bundleWorker } from './bundle.ts';

let mf: Miniflare;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['enable_request_signal'],
    bindings: { RUNNER_URL: 'http://127.0.0.1:9', CLINVK_API_KEYS: 'edge-key' },
  });
  await mf.ready;
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

describe('web console in workerd', () => {
  it('GET / is the page with its CSP, and no API key is needed for it', async () => {
    const res = await mf.dispatchFetch('http://edge.test/', { headers: { 'accept-encoding': 'identity' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toBe(CONSOLE_ASSETS['/']!.body);
    const api = await mf.dispatchFetch('http://edge.test/api/v1/backends');
    expect(api.status).toBe(401);
    await api.text();
  });

  it('the script arrives gzip-compressed once, and decodes to the built file', async () => {
    const path = Object.keys(CONSOLE_ASSETS).find((p) => p.endsWith('.js'))!;
    // miniflare's fetch decodes gzip once; a body workerd compressed a second time would still be gzip here.
    const res = await mf.dispatchFetch(`http://edge.test${path}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = res.headers.get('content-encoding') === 'gzip' ? gunzipSync(bytes).toString() : bytes.toString();
    expect(text).toBe(CONSOLE_ASSETS[path]!.body);
  });
});
