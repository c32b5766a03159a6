// The /mcp fetch handler through the SDK's Streamable-HTTP client, in-process (the client transport
// takes a `fetch`, so no socket): sessions, progress over SSE, cancel, expiry, stateless mode, and
// that the handler bundles for a neutral (non-Node) platform.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpHttpHandler, type McpHttpOptions } from '../../mcp/http.ts';
import { fakeRuntime, testApp, type FakeRuntime } from './handlers/fake-runtime.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const URL_ = new URL('http://mcp.local/mcp');
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
});

function setup(rt: FakeRuntime, opts: McpHttpOptions = {}) {
  const handler = createMcpHttpHandler(rt, opts);
  const requests: Request[] = [];
  const fetch = async (url: string | URL, init?: RequestInit) => {
    const req = new Request(url, init);
    requests.push(req.clone());
    return handler(req);
  };
  return { handler, requests, fetch };
}

async function connect(fetch: (url: string | URL, init?: RequestInit) => Promise<Response>) {
  const transport = new StreamableHTTPClientTransport(URL_, { fetch });
  const client = new Client({ name: 'http-test', version: '0' });
  client.onerror = () => undefined; // close() reports a harmless SSE AbortError
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

const initialize = (id = 1) =>
  new Request(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }),
  });
const toolsList = (sessionId?: string) =>
  new Request(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(sessionId ? { 'mcp-session-id': sessionId } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });

const TOOL_COUNT = 10;

describe('stateful /mcp', () => {
  it('opens a session, lists tools, streams progress over SSE and ends the session on close', async () => {
    const rt = fakeRuntime(() => ({ chunks: ['one ', 'two ', 'three'] }));
    const { handler, fetch } = setup(rt);
    const { client, transport } = await connect(fetch);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client.listTools()).tools).toHaveLength(TOOL_COUNT);

    const seen: string[] = [];
    const r = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'count' } }, undefined, { onprogress: (p) => seen.push(p.message ?? '') })) as CallToolResult;
    expect((r.content[0] as { text: string }).text).toBe('one two three');
    expect(seen).toEqual(['one ', 'two ', 'three']);

    const id = transport.sessionId!;
    await transport.terminateSession();
    expect((await handler(toolsList(id))).status).toBe(404);
  });

  it('a cancelled call aborts the run on the server', async () => {
    const rt = fakeRuntime(() => ({ chunks: Array.from({ length: 200 }, () => 'x'), delayMs: 20 }));
    const { fetch } = setup(rt);
    const { client } = await connect(fetch);
    const ac = new AbortController();
    const pending = client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'long' } }, undefined, { signal: ac.signal, onprogress: () => ac.abort('stop it') });
    await expect(pending).rejects.toThrow(/stop it/);
    await expect.poll(() => rt.calls[0]?.signal?.aborted).toBe(true);
  });

  it('answers 404 for an unknown session and 400 for a request before initialize', async () => {
    const { handler } = setup(fakeRuntime());
    const unknown = await handler(toolsList('no-such-session'));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: -32001, message: expect.stringMatching(/initialize a new session/) } });
    expect((await handler(toolsList())).status).toBe(400);
  });

  it('server/discover (MCP 2026-07-28, which our SDK does not know) gets an error, and the client then initializes', async () => {
    // What Claude Code 2.1.33x does over HTTP (recorded): probe with server/discover, fall back on any error.
    const { fetch } = setup(fakeRuntime());
    const probe = await fetch(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'server-discover-probe-1', method: 'server/discover', params: {} }),
    });
    expect(probe.status).toBe(400);
    expect(await probe.json()).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) } });
    const { client } = await connect(fetch);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('closes sessions idle longer than sessionIdleMs, but not one running an agent', async () => {
    let now = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rt = fakeRuntime(() => ({ gate }));
    const { handler } = setup(rt, { now: () => now, sessionIdleMs: 1000 });
    const idleId = (await handler(initialize())).headers.get('mcp-session-id')!;
    const busy = await connect((url, init) => handler(new Request(url, init)));
    const call = busy.client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'wait' } });
    await expect.poll(() => rt.calls.length).toBe(1);

    now = 5000;
    expect((await handler(toolsList(idleId))).status).toBe(404); // idle: swept
    expect((await busy.client.listTools()).tools).toHaveLength(TOOL_COUNT); // busy: kept
    release();
    await call;
  });

  it('caps the number of sessions by evicting the longest-idle one', async () => {
    let now = 0;
    const { handler } = setup(fakeRuntime(), { now: () => now, maxSessions: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      now += 10;
      ids.push((await handler(initialize())).headers.get('mcp-session-id')!);
    }
    expect((await handler(toolsList(ids[0]))).status).toBe(404);
    expect((await handler(toolsList(ids[2]))).status).toBe(200);
  });
});

describe('stateless /mcp', () => {
  it('serves each request with a fresh server, tools/list without initialize too', async () => {
    const rt = fakeRuntime();
    const { handler, fetch } = setup(rt, { stateless: true });
    const bare = await handler(toolsList());
    expect(bare.status).toBe(200);
    expect(await bare.text()).toContain('clinvk_prompt');

    const { client, transport } = await connect(fetch);
    expect(transport.sessionId).toBeUndefined();
    const r = (await client.callTool({ name: 'clinvk_backends', arguments: {} })) as CallToolResult;
    expect(r.structuredContent).toMatchObject({ backends: [{ name: 'claude' }, { name: 'codex' }, { name: 'gemini' }] });
  });

  it('a client that disconnects stops its run', async () => {
    const rt = fakeRuntime(() => ({ chunks: Array.from({ length: 200 }, () => 'x'), delayMs: 20 }));
    const handler = createMcpHttpHandler(rt, { stateless: true });
    const ac = new AbortController();
    const req = new Request(URL_, {
      method: 'POST',
      signal: ac.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'clinvk_prompt', arguments: { prompt: 'x' } } }),
    });
    const res = await handler(req);
    expect(res.status).toBe(200);
    await expect.poll(() => rt.calls.length).toBe(1);
    ac.abort();
    await expect.poll(() => rt.calls[0]?.signal?.aborted).toBe(true);
    await res.body?.cancel().catch(() => undefined);
  });
});

describe('mounted in the app at /mcp', () => {
  it('sits behind API key auth and serves tools with a key', async () => {
    const rt = fakeRuntime();
    const app = testApp(rt, { apiKeys: ['k1'], mcp: createMcpHttpHandler(rt) });
    expect((await app.fetch(initialize())).status).toBe(401);
    const { client } = await connect((url, init) => {
      const req = new Request(url, init);
      req.headers.set('authorization', 'Bearer k1');
      return app.fetch(req);
    });
    const r = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'hi' } })) as CallToolResult;
    expect(r.structuredContent).toMatchObject({ output: 'Hello world' });
  });
});

describe('purity', () => {
  it('mcp/http.ts bundles for a neutral platform with no node:* or other external import', async () => {
    const out = await build({ entryPoints: [join(ROOT, 'mcp/http.ts')], bundle: true, platform: 'neutral', format: 'esm', mainFields: ['module', 'main'], write: false, metafile: true, logLevel: 'silent' });
    const externals = Object.values(out.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect(externals).toEqual([]);
  });

  it('no file under mcp/ except stdio.ts imports node:* or runtime/node', () => {
    const files = ['server.ts', 'http.ts', ...readdirSync(join(ROOT, 'mcp/tools')).map((f) => `tools/${f}`)];
    const offenders = files.filter((f) => /from\s+['"](node:|[^'"]*runtime\/node\/)/.test(readFileSync(join(ROOT, 'mcp', f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
