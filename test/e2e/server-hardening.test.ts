// `clinvk serve` as started by the CLI (startServer), on a real socket with the fake CLIs: the Host
// allow-list (DNS rebinding), requests Node's parser refuses, API keys that leave the environment
// before any backend (or its `--version` probe) starts, and error answers that name no path of the machine.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../cli/commands/serve-start.ts';
import type { RunningServer } from '../../runtime/node/server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FAKES = join(ROOT, 'test/fixtures/fake-clis');
const KEY = 'sekrit-key-4711';
const home = mkdtempSync(join(tmpdir(), 'clinvk-hardening-'));
const dumps = join(home, 'env-dumps');
const env: Record<string, string | undefined> = {};
let server: RunningServer;

beforeAll(async () => {
  mkdirSync(dumps);
  // A backend that writes its whole environment to a file, then is the fake claude.
  const wrapper = join(home, 'claude-env-dump');
  writeFileSync(wrapper, `#!/bin/sh\nenv > "${dumps}/$$.env"\nexec "${join(FAKES, 'claude')}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  // codex: a configured path that does not exist; gemini: a script whose interpreter is missing (spawn fails).
  const broken = join(home, 'gemini-broken');
  writeFileSync(broken, '#!/nonexistent/interpreter\n');
  chmodSync(broken, 0o755);
  symlinkSync('/etc', join(home, 'link-to-etc'));
  writeFileSync(join(home, 'config.yaml'), [
    'backends:',
    `  claude: { command: ${wrapper} }`,
    `  codex: { command: ${join(home, 'missing', 'codex')} }`,
    `  gemini: { command: ${broken} }`,
    'server:',
    `  allowed_workdir_prefixes: [${home}]`,
    '',
  ].join('\n'));
  Object.assign(env, process.env, {
    PATH: `${FAKES}${delimiter}${process.env.PATH ?? ''}`,
    CLINVK_HOME: home,
    CLINVK_CONFIG: join(home, 'config.yaml'),
    CLINVK_API_KEYS: KEY,
    FAKE_STATE_DIR: join(home, 'fake-state'),
  });
  process.env.CLINVK_API_KEYS = KEY; // as `clinvk serve` has it: env is process.env there
  const started = await startServer({ env, cwd: home, host: '127.0.0.1', port: 0, out: () => {}, err: () => {}, signals: false });
  server = started.server;
}, 30_000);

afterAll(async () => {
  await server?.close();
  delete process.env.CLINVK_API_KEYS;
  rmSync(home, { recursive: true, force: true });
});

function dechunk(s: string): string {
  let out = '';
  for (let at = 0; ; ) {
    const eol = s.indexOf('\r\n', at);
    const size = parseInt(s.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += s.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** Sends raw bytes and returns everything the server answers until it closes the connection. */
function raw(bytes: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(server.port, '127.0.0.1');
    let data = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (data += d));
    sock.on('error', reject);
    sock.on('close', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      let body = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(head)) body = dechunk(body);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body });
    });
    sock.write(bytes);
  });
}
const get = (path: string, host: string, extra = '') => raw(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${KEY}\r\nConnection: close\r\n${extra}\r\n`);

describe('the Host allow-list on the live server', () => {
  it('refuses a rebound name, on a route and on a path that has none', async () => {
    for (const path of ['/api/v1/sessions', '/']) {
      const res = await get(path, `evil.example:${server.port}`);
      expect(res.status, path).toBe(403);
      expect(res.headers).toContain('content-type: application/problem+json');
      expect(JSON.parse(res.body)).toMatchObject({ code: 'FORBIDDEN' });
    }
    const mcp = await get('/mcp', 'evil.example');
    expect(mcp.status).toBe(403);
    expect(JSON.parse(mcp.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
  });

  it('answers localhost and the bound address on any port', async () => {
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, 'localhost']) expect((await get('/health', host)).status, host).toBe(200);
  });
});

describe('requests Node cannot parse', () => {
  it('a malformed request line gets 400 with a JSON body', async () => {
    const res = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers).toContain('content-type: application/json');
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });

  it('headers too large get 431 in the format of the surface the path names', async () => {
    const big = `X-Filler: ${'a'.repeat(20_000)}\r\n`;
    const openai = await get('/openai/v1/models', 'localhost', big);
    expect(openai.status).toBe(431);
    expect(JSON.parse(openai.body)).toMatchObject({ error: { code: 'headers_too_large', type: 'invalid_request_error' } });
    const rest = await get('/api/v1/sessions', 'localhost', big);
    expect(rest.status).toBe(431);
    expect(rest.headers).toContain('content-type: application/problem+json');
    expect(JSON.parse(rest.body)).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
  });

  it('a bad protocol version after a readable path answers in that surface’s format', async () => {
    const res = await raw('POST /anthropic/v1/messages HTTP/7.3\r\nHost: localhost\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});

describe('API keys leave the environment', () => {
  it('are gone from process.env once the server has started', () => {
    expect(process.env.CLINVK_API_KEYS).toBeUndefined();
    expect(env.CLINVK_API_KEYS).toBeUndefined();
  });

  it('reach neither the version probe nor a run', async () => {
    const res = await fetch(`${server.url}/api/v1/prompt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ backend: 'claude', prompt: 'print your env', ephemeral: true }),
    });
    expect(res.status).toBe(200);
    const files = readdirSync(dumps);
    expect(files.length).toBeGreaterThanOrEqual(2); // `--version` at start, then the run
    for (const f of files) {
      const text = readFileSync(join(dumps, f), 'utf8');
      expect(text).toContain('FAKE_STATE_DIR=');
      expect(text).not.toContain(KEY);
      expect(text).not.toMatch(/^CLINVK_API_KEYS/m);
    }
  });
});

describe('errors name no path of the machine', () => {
  const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };

  it('a configured backend path that is missing: REST, OpenAI and the backends list', async () => {
    const rest = await post('/api/v1/prompt', { backend: 'codex', prompt: 'hi' });
    expect(rest.status).toBe(503);
    expect(rest.text).toContain('backends.codex.command');
    const openai = await post('/openai/v1/chat/completions', { model: 'codex', messages: [{ role: 'user', content: 'hi' }] });
    expect(openai.status).toBe(503);
    const list = await (await fetch(`${server.url}/api/v1/backends`, { headers: auth })).text();
    expect(list).toContain('"reason"');
    for (const text of [rest.text, openai.text, list]) expect(text).not.toContain(home);
  });

  it('a backend that cannot be started (SPAWN_FAILED)', async () => {
    const res = await post('/api/v1/prompt', { backend: 'gemini', prompt: 'hi', ephemeral: true });
    expect(res.text).toContain('SPAWN_FAILED');
    expect(res.text).toContain('could not start gemini (ENOENT)');
    expect(res.text).not.toContain(home);
  });

  it('a workdir that is a symlink into /etc: the path sent is named, not where it leads', async () => {
    const res = await post('/api/v1/prompt', { backend: 'claude', prompt: 'hi', workdir: join(home, 'link-to-etc') });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).detail).toBe(`workdir refused: ${join(home, 'link-to-etc')} leads into a blocked directory`);
    expect(res.text).not.toContain('/etc');
  });

  it('MCP over /mcp: tool errors', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } });
    const client = new Client({ name: 'hardening', version: '0' });
    client.onerror = () => undefined;
    await client.connect(transport);
    try {
      for (const backend of ['codex', 'gemini']) {
        const r = (await client.callTool({ name: 'clinvk_prompt', arguments: { backend, prompt: 'hi', ephemeral: true } })) as CallToolResult;
        expect(r.isError, backend).toBe(true);
        expect(JSON.stringify(r), backend).not.toContain(home);
      }
      const b = (await client.callTool({ name: 'clinvk_backends', arguments: {} })) as CallToolResult;
      expect(JSON.stringify(b)).not.toContain(home);
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});
