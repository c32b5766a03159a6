// Security of the live server (`node dist/clinvk.cjs serve` with API keys, the fake backends behind
// it) and of the CLI:
// - every route and method needs a key, except the open probes (/health; /metrics, SPEC §6), and
//   refuses one in the wrong place with a 401 in its own surface's dialect; valid keys work;
// - CORS preflights answer nothing but CORS headers;
// - no key (valid or wrong) ever reaches the logs (server at debug level), the backends'
//   environment, the session files, /metrics, or `clinvk config show`;
// - workdir rules hold through symlinks, symlink chains, `..`, a prefix-sharing sibling and a
//   session whose folder was swapped for a link, on every door (REST, OpenAI, Anthropic, MCP),
//   and a refused workdir starts no backend process.
import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLINVK, clinvk, ensureBuilt, FAKES } from '../e2e/cli-helpers.ts';
import { FULL } from './full.ts';
import { stretched, workBound } from './work-bound.ts';

// ---- keys: distinctive random strings, so a grep for them cannot match anything by chance ----------
const rnd = () => randomBytes(12).toString('hex');
const KEY_ENV = `sk-clinvk-env-${rnd()}`;
const KEY_ENV2 = `sk-clinvk-env2-${rnd()}`;
const KEY_FILE = `sk-clinvk-file-${rnd()}`;
const WRONG = `sk-clinvk-wrong-${rnd()}`;
const WRONG2 = `sk-clinvk-wrong2-${rnd()}`;
const ALL_KEYS = [KEY_ENV, KEY_ENV2, KEY_FILE, WRONG, WRONG2];
/** The random part alone too: a log that cut the prefix off would still be a leak. */
const NEEDLES = ALL_KEYS.flatMap((k) => [k, k.slice(-24)]);
const leaks = (text: string) => NEEDLES.filter((n) => text.includes(n));
const b64 = (s: string) => Buffer.from(s).toString('base64');

// ---- the sandbox: allowed/work is the server's cwd; everything else is a trap ------------------------
const base = realpathSync(mkdtempSync(join(tmpdir(), 'clinvk-sec-')));
const home = join(base, 'home');
const allowed = join(base, 'allowed');
const work = join(allowed, 'work');
const secret = join(allowed, 'secret'); // blocked by the config, inside the allowed prefix
const outside = join(base, 'outside'); // neither allowed nor blocked
const sibling = `${allowed}-evil`; // shares the allowed prefix as a string, not as a folder
const configFile = join(base, 'config.yaml');
const keysFile = join(base, 'keys.txt');
const fakeLog = join(base, 'fake.log');
const envDump = join(base, 'child-env.jsonl');
const wrapper = join(base, 'bin', 'claude-wrap');

function layout() {
  for (const d of [home, work, secret, outside, sibling, join(work, 'sub'), join(base, 'bin')]) mkdirSync(d, { recursive: true });
  const link = (target: string, name: string) => symlinkSync(target, join(allowed, name));
  link('/etc', 'link-etc');
  link(join(allowed, 'chain2'), 'chain1');
  link(join(allowed, 'chain3'), 'chain2');
  link('/etc/ssl', 'chain3');
  link(outside, 'link-outside');
  link(secret, 'link-secret');
  link('/proc/self/root', 'link-proc-root');
  link('../../../../../../../../etc', 'link-dotdot'); // relative target climbing out
  link(join(allowed, 'missing'), 'dangling');
  link(join(allowed, 'loop2'), 'loop1');
  link(join(allowed, 'loop1'), 'loop2');
  link(work, 'link-inside');
  link(join(allowed, 'link-inside'), 'chain-inside');
  writeFileSync(keysFile, `# keys for the security test\n${KEY_FILE}\n\n`);
  writeFileSync(
    configFile,
    [
      'unified_flags:',
      '  verbose: true', // the server logs at debug level
      'server:',
      '  metrics_enabled: true',
      // Not this test's subject (the framing tests cover it): at the default 30 s a heavily loaded
      // machine can see the request deadline fire first, a 408 where the 401 is asserted.
      '  read_timeout_secs: 600',
      `  allowed_workdir_prefixes: [${JSON.stringify(allowed)}]`,
      `  blocked_workdir_prefixes: [${JSON.stringify(secret)}]`,
      'backends:',
      '  claude:',
      `    command: ${JSON.stringify(wrapper)}`,
      '',
    ].join('\n'),
  );
  // The claude backend is the fake behind a wrapper that records the environment it was given.
  writeFileSync(
    wrapper,
    `#!/usr/bin/env node
require('node:fs').appendFileSync(${JSON.stringify(envDump)}, JSON.stringify(process.env) + '\\n');
import(${JSON.stringify(join(FAKES, 'lib/claude.mjs'))}).then((m) => m.main(process.argv.slice(2)));
`,
  );
  chmodSync(wrapper, 0o755);
}

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...(process.env as Record<string, string>),
  HOME: base,
  TMPDIR: base,
  CLINVK_HOME: home,
  CLINVK_CONFIG: configFile,
  CLINVK_API_KEYS: ` ${KEY_ENV} ,${KEY_ENV2}`,
  CLINVK_API_KEYS_FILE: keysFile,
  PATH: `${FAKES}:${process.env.PATH ?? ''}`,
  FAKE_LOG: fakeLog,
  FAKE_STATE_DIR: join(base, 'fake-state'),
  FAKE_CHUNK_DELAY_MS: '5',
  ...extra,
});

// ---- the live server ------------------------------------------------------------------------------
let server: ChildProcess;
let url = '';
let serverOut = '';
let serverExit: Promise<number | null>;

beforeAll(async () => {
  ensureBuilt();
  layout();
  server = spawn(process.execPath, [CLINVK, 'serve', '--port', '0'], { env: env(), cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d: Buffer) => (serverOut += d));
  server.stderr!.on('data', (d: Buffer) => (serverOut += d));
  serverExit = new Promise((r) => server.once('exit', r));
  const end = Date.now() + stretched(15_000);
  while (!/listening on (http:\/\/\S+)[\s\S]*\nbackends: /.test(serverOut)) {
    if (Date.now() > end || server.exitCode !== null) throw new Error(`serve did not start:\n${serverOut}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  url = /listening on (http:\/\/\S+)/.exec(serverOut)![1]!;
  expect(serverOut).toMatch(/API keys: on \(3\)/);
}, stretched(30_000));

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
    await serverExit;
  }
  rmSync(base, { recursive: true, force: true });
});

type Surface = 'rest' | 'openai' | 'anthropic' | 'mcp';
const surfaceOf = (path: string): Surface =>
  path.startsWith('/openai/') ? 'openai' : path.startsWith('/anthropic/') ? 'anthropic' : path === '/mcp' || path.startsWith('/mcp/') ? 'mcp' : 'rest';
const bearer = (k: string): Record<string, string> => ({ authorization: `Bearer ${k}` });
const auth = bearer(KEY_ENV);

async function call(method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}) {
  const init: RequestInit = { method, headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers } };
  if (opts.body !== undefined && method !== 'GET' && method !== 'HEAD') init.body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

/**
 * `fn` over every item, at most `limit` at a time. Thousands of requests at once overflow the listen
 * backlog of a server on a busy machine: dropped SYNs wait for retransmits and undici's 10 s connect
 * timeout fails the request, which is not what these tests are about.
 */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
const AT_ONCE = 16;

/** A request with the path sent byte for byte (fetch would normalise `..` and `//`). */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = httpRequest({ host: u.hostname, port: u.port, method: 'GET', path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The 401 in the dialect of the surface, with nothing of what the caller sent in it. */
function expect401(r: Awaited<ReturnType<typeof call>>, path: string, method: string, presented?: string) {
  const where = `${method} ${path}`;
  expect(r.status, where).toBe(401);
  expect(r.headers.get('www-authenticate'), where).toMatch(/^Bearer realm=/);
  if (presented) expect(r.text.includes(presented), `${where} echoes the key`).toBe(false);
  if (method === 'HEAD') return;
  const body = r.json();
  switch (surfaceOf(path)) {
    case 'openai':
      expect(r.headers.get('content-type'), where).toMatch(/^application\/json/);
      expect(body.error, where).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/API key/) });
      break;
    case 'anthropic':
      expect(r.headers.get('content-type'), where).toMatch(/^application\/json/);
      expect(body, where).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: expect.stringMatching(/API key/) } });
      break;
    case 'mcp':
      // JSON-RPC, as the MCP SDK's transport answers its own HTTP-level errors.
      expect(r.headers.get('content-type'), where).toMatch(/^application\/json/);
      expect(body, where).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringMatching(/API key/), data: { code: 'UNAUTHORIZED' } } });
      break;
    default:
      expect(r.headers.get('content-type'), where).toBe('application/problem+json');
      expect(body, where).toMatchObject({ status: 401, title: 'Unauthorized', detail: expect.stringMatching(/API key/) });
  }
}

/** Backend runs the fakes logged (their `--version` probes aside). */
function fakeStarts(): { cwd: string; argv: string[] }[] {
  if (!existsSync(fakeLog)) return [];
  return readFileSync(fakeLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { phase: string; cwd: string; argv: string[] })
    .filter((e) => e.phase === 'start' && !e.argv.includes('--version') && !e.argv.includes('-v'));
}

// Every concrete path the server routes (handlers/app.ts, rest.ts, openai.ts, anthropic.ts, /mcp),
// plus unknown ones under each surface: auth comes before routing, so those are 401 too.
const PATHS = [
  '/api/v1/prompt', '/api/v1/parallel', '/api/v1/chain', '/api/v1/compare', '/api/v1/backends', '/api/v1/doctor', '/api/v1/sessions',
  '/api/v1/sessions/0123abcd', '/api/v1', '/api/v1/nope',
  '/openai/v1/models', '/openai/v1/models/claude', '/openai/v1/models/claude/opus', '/openai/v1/chat/completions',
  '/openai/v1/responses', '/openai/v1/responses/resp_0123', '/openai/v1/nope',
  '/anthropic/v1/messages', '/anthropic/v1/messages/count_tokens', '/anthropic/v1/nope',
  '/openapi.json', '/mcp', '/mcp/x', '/nope', '/healthz', '/health/x', '/metricsx',
];
/**
 * Open without a key by design: probes and scrapers (SPEC §6), and the web console's page, which holds no
 * data and asks for a key when the APIs it calls answer 401 (README "Web console").
 */
const OPEN = ['/health', '/metrics', '/'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
/** The method each path is normally called with. */
const primary = (p: string) => (/(prompt|parallel|chain|compare|completions|responses|messages|count_tokens|mcp)$/.test(p) ? 'POST' : 'GET');

/** A key where clinvk does not read one, or not exactly the key: all 401. */
const MISPLACED: [string, Record<string, string>, string?][] = [
  ['no key', {}],
  ['wrong Bearer key', bearer(WRONG), WRONG],
  ['wrong X-Api-Key', { 'x-api-key': WRONG2 }, WRONG2],
  ['valid key without the Bearer scheme', { authorization: KEY_ENV }, KEY_ENV],
  ['valid key as Basic credentials', { authorization: `Basic ${b64(`user:${KEY_ENV}`)}` }, KEY_ENV],
  ['valid key as Basic (key only)', { authorization: `Basic ${b64(KEY_ENV)}` }, KEY_ENV],
  ['valid key with the Token scheme', { authorization: `Token ${KEY_ENV}` }, KEY_ENV],
  ['"Bearer <key>" in X-Api-Key', { 'x-api-key': `Bearer ${KEY_ENV}` }, KEY_ENV],
  ['Azure api-key header', { 'api-key': KEY_ENV }, KEY_ENV],
  ['Google x-goog-api-key header', { 'x-goog-api-key': KEY_ENV }, KEY_ENV],
  ['key in a cookie', { cookie: `api_key=${KEY_ENV}` }, KEY_ENV],
  ['proxy-authorization', { 'proxy-authorization': `Bearer ${KEY_ENV}` }, KEY_ENV],
  ['prefix of a valid key', bearer(KEY_ENV.slice(0, -1)), KEY_ENV.slice(0, -1)],
  ['valid key plus a character', { 'x-api-key': `${KEY_FILE}x` }, `${KEY_FILE}x`],
  ['two keys in one header', { 'x-api-key': `${KEY_ENV},${KEY_ENV2}` }, KEY_ENV],
  ['empty Bearer', { authorization: 'Bearer ' }],
  ['empty X-Api-Key', { 'x-api-key': '' }],
  ['the file comment line as a key', { 'x-api-key': '# keys for the security test' }],
];

describe('API keys on every route', () => {
  it('the routes we enumerate cover every path in /openapi.json', async () => {
    const r = await call('GET', '/openapi.json', { headers: auth });
    expect(r.status).toBe(200);
    const documented = Object.keys(r.json().paths as Record<string, unknown>).map((p) => p.replace('{id}', '0123abcd'));
    for (const p of documented) expect([...PATHS, ...OPEN], `${p} is routed but not tested`).toContain(p);
  });

  it('without a key only /health, /metrics and the console page answer, for every method; the rest is 401 in its own dialect', async () => {
    const results = await mapLimited(
      [...PATHS, ...OPEN].flatMap((path) => METHODS.map((method) => [path, method] as const)),
      AT_ONCE,
      async ([path, method]) => ({ path, method, r: await call(method, path, method === 'POST' ? { body: { prompt: 'x' } } : {}) }),
    );
    for (const { path, method, r } of results) {
      if (OPEN.includes(path)) {
        if (method === 'GET' || (method === 'HEAD' && path !== '/metrics')) expect(r.status, `${method} ${path}`).toBe(200);
        else expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
        continue;
      }
      expect401(r, path, method);
    }
    // /health says nothing a caller could use against the server: no paths, no config, no env.
    const health = (await call('GET', '/health')).text;
    expect(health).not.toMatch(new RegExp(`${base}|CLINVK_|allowed_workdir`));
  });

  // 16 at a time against the live server; one refused request is ~5 ms on the busy two-core machine.
  const misplacedBound = workBound('keys in the wrong place', {
    units: MISPLACED.length * (FULL ? PATHS.length * METHODS.length : PATHS.length),
    unit: 'requests',
    perUnitMs: 25,
    fixedMs: 10_000,
  });
  it('a key in the wrong place, a wrong key or almost the key is 401 on every route', async () => {
    const t0 = Date.now();
    // Plain run: wrong keys on every path, the other forms on one path per surface. FULL: everything × every method.
    const SAMPLE = ['/api/v1/sessions', '/api/v1/prompt', '/openai/v1/chat/completions', '/anthropic/v1/messages', '/mcp', '/openapi.json'];
    const targets = (name: string) =>
      FULL ? PATHS.flatMap((p) => METHODS.map((m) => [p, m] as const)) : (name.startsWith('wrong') ? PATHS : SAMPLE).map((p) => [p, primary(p)] as const);
    const cases = MISPLACED.flatMap(([name, headers, presented]) => targets(name).map(([path, method]) => ({ name, headers, presented, path, method })));
    const checks = await mapLimited(cases, AT_ONCE, async ({ name, headers, presented, path, method }) => {
      const r = await call(method, path, { headers, ...(method === 'POST' ? { body: { prompt: 'x' } } : {}) });
      return { name, path, method, r, presented };
    });
    for (const { name, path, method, r, presented } of checks) {
      expect(r.status, `${name}: ${method} ${path}`).toBe(401);
      expect401(r, path, method, presented);
    }
    misplacedBound.report(Date.now() - t0);
  }, misplacedBound.ms);

  // 7 × 4 requests one after the other (~15 s on a very busy machine).
  it('a key in the query string is ignored (401) and a valid one never unlocks anything', async () => {
    for (const q of ['api_key', 'apikey', 'key', 'token', 'access_token', 'x-api-key', 'authorization']) {
      for (const path of ['/api/v1/sessions', '/openai/v1/models', '/anthropic/v1/messages', '/mcp']) {
        const method = primary(path);
        const r = await call(method, `${path}?${q}=${encodeURIComponent(KEY_ENV)}`, method === 'POST' ? { body: {} } : {});
        expect401(r, path, method, KEY_ENV);
      }
    }
  }, stretched(60_000));

  it('paths that look like the open ones but are not stay closed (no normalisation trick opens a route)', async () => {
    const tricks = [
      '/health/../api/v1/sessions', '/health/%2e%2e/api/v1/sessions', '/metrics/../api/v1/sessions', '/health/..%2fapi/v1/sessions',
      '//api/v1/sessions', '/api/v1//sessions', '/API/V1/SESSIONS', '/health;/../api/v1/sessions', '/%68ealth', '/health%00',
      '/./api/v1/sessions', '/api/v1/sessions/..%2f..%2fhealth', 'http://evil.example/api/v1/sessions',
    ];
    for (const path of tricks) {
      const r = await rawGet(path);
      // 403: the Host check, for targets whose URL names another host (`//api/…` parses as host `api`).
      expect([401, 403, 404], `${path} -> ${r.status}`).toContain(r.status);
      expect(r.body, path).not.toMatch(/"sessions":/);
    }
  });

  it('valid keys work on every route: Bearer (any case) and X-Api-Key, from CLINVK_API_KEYS and CLINVK_API_KEYS_FILE', async () => {
    const forms: Record<string, string>[] = [
      bearer(KEY_ENV),
      { authorization: `bearer ${KEY_ENV2}` },
      { authorization: `  Bearer   ${KEY_FILE}  ` },
      { 'x-api-key': KEY_ENV },
      { 'X-Api-Key': KEY_FILE },
    ];
    for (const h of forms) expect((await call('GET', '/api/v1/backends', { headers: h })).status, JSON.stringify(Object.keys(h))).toBe(200);

    const ok = async (method: string, path: string, body?: unknown, headers = auth) => {
      const r = await call(method, path, { headers, ...(body !== undefined ? { body } : {}) });
      expect(r.status, `${method} ${path}: ${r.text.slice(0, 300)}`).toBe(200);
      return r;
    };
    const made = (await ok('POST', '/api/v1/prompt', { backend: 'claude', prompt: 'secure hello' })).json();
    expect(made.output).toMatch(/secure hello/);
    const [, , , , sessions, , , , , , resp] = await Promise.all([
      ok('POST', '/api/v1/parallel', { tasks: [{ backend: 'claude', prompt: 'p1', ephemeral: true }] }),
      ok('POST', '/api/v1/chain', { steps: [{ backend: 'claude', prompt: 'c1', ephemeral: true }] }),
      ok('POST', '/api/v1/compare', { prompt: 'cmp', backends: ['claude'], ephemeral: true }),
      ok('GET', '/api/v1/backends'),
      ok('GET', '/api/v1/sessions'),
      ok('GET', `/api/v1/sessions/${made.session_id}`),
      ok('GET', '/openapi.json'),
      ok('GET', '/openai/v1/models'),
      ok('GET', '/openai/v1/models/claude'),
      ok('POST', '/openai/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': KEY_FILE }),
      ok('POST', '/openai/v1/responses', { model: 'claude', input: 'hi there' }),
      ok('POST', '/anthropic/v1/messages', { model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': KEY_ENV2 }),
      ok('POST', '/anthropic/v1/messages/count_tokens', { model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': KEY_ENV2 }),
    ]);
    expect(sessions.json().total).toBeGreaterThanOrEqual(1);
    await ok('GET', `/openai/v1/responses/${resp.json().id}`);
    const init = await call('POST', '/mcp', {
      headers: { ...auth, accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'sec', version: '0' } } },
    });
    expect(init.status, init.text).toBe(200);
    const mcpSession = init.headers.get('mcp-session-id')!;
    expect(mcpSession).toBeTruthy();
    // The MCP session is bound to no key, but every request to it still needs one.
    expect((await call('DELETE', '/mcp', { headers: { 'mcp-session-id': mcpSession } })).status).toBe(401);
    expect((await call('DELETE', '/mcp', { headers: { ...auth, 'mcp-session-id': mcpSession } })).status).toBe(200);
    await ok('DELETE', `/api/v1/sessions/${made.session_id}`);
  });

  it('the official SDKs see a wrong key as their typed AuthenticationError, and a right one works', async () => {
    const oaBad = new OpenAI({ apiKey: WRONG, baseURL: `${url}/openai/v1`, maxRetries: 0 });
    const e1 = await oaBad.models.list().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(String((e1 as Error).message)).not.toContain(WRONG);
    const oa = new OpenAI({ apiKey: KEY_FILE, baseURL: `${url}/openai/v1`, maxRetries: 0 });
    expect((await oa.models.list()).data.map((m) => m.id)).toContain('claude');

    const anBad = new Anthropic({ apiKey: WRONG2, baseURL: `${url}/anthropic`, maxRetries: 0 });
    const e2 = await anBad.messages.create({ model: 'claude', max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(Anthropic.AuthenticationError);
    const an = new Anthropic({ apiKey: KEY_ENV, baseURL: `${url}/anthropic`, maxRetries: 0 });
    const msg = await an.messages.create({ model: 'claude', max_tokens: 16, messages: [{ role: 'user', content: 'sdk ok' }] });
    expect(JSON.stringify(msg.content)).toMatch(/sdk ok/);
  });
});

describe('CORS', () => {
  const preflight = (path: string, origin: string) =>
    call('OPTIONS', path, { headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-api-key' } });

  it('a preflight answers CORS headers and nothing else, to allowed and refused origins alike', async () => {
    const paths = ['/api/v1/sessions', '/api/v1/prompt', '/openai/v1/chat/completions', '/anthropic/v1/messages', '/mcp', '/metrics', '/nope'];
    for (const path of paths) {
      const good = await preflight(path, 'http://localhost:5173');
      expect(good.status, path).toBe(204);
      expect(good.text, path).toBe('');
      expect(good.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(good.headers.get('access-control-allow-credentials')).toBeNull();
      for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example:80']) {
        const bad = await preflight(path, origin);
        expect(bad.status, `${origin} ${path}`).toBe(204);
        expect(bad.text).toBe('');
        for (const h of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-allow-credentials']) {
          expect(bad.headers.get(h), `${origin} ${path} ${h}`).toBeNull();
        }
      }
    }
  });

  it('answers to a refused origin carry no Access-Control-Allow-Origin, and a cross-site POST without a key runs nothing', async () => {
    const before = fakeStarts().length;
    const read = await call('GET', '/api/v1/sessions', { headers: { ...auth, origin: 'https://evil.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'https://evil.example', 'content-type': 'text/plain' }] as Record<string, string>[]) {
      const r = await call('POST', '/api/v1/prompt', { headers, body: JSON.stringify({ backend: 'claude', prompt: 'csrf' }) });
      expect([401, 403]).toContain(r.status);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(fakeStarts().length).toBe(before);
  });
});

// ---- workdir rules --------------------------------------------------------------------------------
/** Workdirs every door must refuse, and what the refusal says. */
/** Through a symlink or `..` the answer does not say where the path leads, only that it is refused. */
const BAD_WORKDIRS: [string, () => string, RegExp][] = [
  ['symlink to /etc', () => join(allowed, 'link-etc'), /leads into a blocked directory/],
  ['symlink chain ending in /etc/ssl', () => join(allowed, 'chain1'), /leads into a blocked directory/],
  ['`..` climbing into /etc', () => `${work}/sub/../../../../../../../../../etc`, /leads into a blocked directory/],
  ['`.`, `..` and a trailing slash around a link to /etc', () => `${work}/./../link-etc/./`, /leads into a blocked directory/],
  ['symlink with a relative ../../ target', () => join(allowed, 'link-dotdot'), /leads into a blocked directory/],
  ['/proc/self/root (resolves to /)', () => join(allowed, 'link-proc-root'), /root directory/],
  ['symlink out of the allowed prefix', () => join(allowed, 'link-outside'), /outside the allowed prefixes/],
  ['a sibling sharing the allowed prefix as a string', () => sibling, /outside the allowed prefixes/],
  ['`..` out of the allowed prefix', () => `${work}/../../outside`, /outside the allowed prefixes/],
  ['symlink to a configured blocked folder inside the allowed one', () => join(allowed, 'link-secret'), /leads into a blocked directory/],
  ['dangling symlink', () => join(allowed, 'dangling'), /does not exist/],
  ['symlink loop', () => join(allowed, 'loop1'), /does not exist/],
  ['relative path', () => 'work', /absolute/],
];

type Door = [name: string, send: (workdir: string) => Promise<{ status: number; message: string }>];
const restMsg = (r: Awaited<ReturnType<typeof call>>) => ({ status: r.status, message: r.status === 200 ? r.text : String(r.json().detail ?? r.text) });
const vendorMsg = (r: Awaited<ReturnType<typeof call>>) => ({ status: r.status, message: r.status === 200 ? r.text : String(r.json().error?.message ?? r.text) });
const chatBody = (workdir: string, stream = false) => ({ model: 'claude', stream, messages: [{ role: 'user', content: 'where am i' }], clinvk: { workdir } });
const DOORS: Door[] = [
  ['REST /prompt', async (w) => restMsg(await call('POST', '/api/v1/prompt', { headers: auth, body: { backend: 'claude', prompt: 'x', workdir: w } }))],
  ['REST /prompt stream-json', async (w) => restMsg(await call('POST', '/api/v1/prompt', { headers: auth, body: { backend: 'claude', prompt: 'x', workdir: w, output_format: 'stream-json' } }))],
  ['REST /parallel', async (w) => parallelMsg(await call('POST', '/api/v1/parallel', { headers: auth, body: { tasks: [{ backend: 'claude', prompt: 'x', workdir: w }] } }))],
  ['REST /chain', async (w) => parallelMsg(await call('POST', '/api/v1/chain', { headers: auth, body: { steps: [{ backend: 'claude', prompt: 'x', workdir: w }] } }))],
  ['REST /compare', async (w) => parallelMsg(await call('POST', '/api/v1/compare', { headers: auth, body: { prompt: 'x', backends: ['claude'], workdir: w } }))],
  ['OpenAI chat', async (w) => vendorMsg(await call('POST', '/openai/v1/chat/completions', { headers: auth, body: chatBody(w) }))],
  ['OpenAI chat stream', async (w) => vendorMsg(await call('POST', '/openai/v1/chat/completions', { headers: auth, body: chatBody(w, true) }))],
  ['OpenAI responses', async (w) => vendorMsg(await call('POST', '/openai/v1/responses', { headers: auth, body: { model: 'claude', input: 'x', clinvk: { workdir: w } } }))],
  ['Anthropic messages', async (w) => vendorMsg(await call('POST', '/anthropic/v1/messages', { headers: { 'x-api-key': KEY_ENV }, body: { ...chatBody(w), max_tokens: 64 } }))],
  ['Anthropic messages stream', async (w) => vendorMsg(await call('POST', '/anthropic/v1/messages', { headers: { 'x-api-key': KEY_ENV }, body: { ...chatBody(w, true), max_tokens: 64 } }))],
];

/**
 * parallel/chain/compare answer 200 with per-task results (a failed task is a result, not a failed
 * request) or 400 when the whole request is refused: either way the task must have failed, saying why.
 */
function parallelMsg(r: Awaited<ReturnType<typeof call>>) {
  if (r.status !== 200) return restMsg(r);
  const body = r.json();
  const results = (body.results ?? []) as { exit_code?: number; error?: { message?: string; code?: string } | string; output?: string }[];
  const failed = results.length > 0 && results.every((x) => x.error !== undefined && (x.exit_code ?? 1) !== 0);
  const message = results.map((x) => (typeof x.error === 'string' ? x.error : `${x.error?.code ?? ''} ${x.error?.message ?? ''}`)).join('; ');
  return { status: failed ? 422 : 200, message };
}

describe('workdir rules through symlinks, chains and `..`', () => {
  let mcp: Client;
  beforeAll(async () => {
    mcp = new Client({ name: 'sec-workdir', version: '0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: bearer(KEY_ENV2) } }));
  });
  afterAll(async () => {
    await mcp?.close();
  });

  it('every door refuses every bad workdir with a 4xx that says why, and starts no backend', async () => {
    const before = fakeStarts().length;
    const doors: Door[] = [
      ...DOORS,
      [
        'MCP clinvk_prompt',
        async (w) => {
          const r = (await mcp.callTool({ name: 'clinvk_prompt', arguments: { backend: 'claude', prompt: 'x', workdir: w } })) as CallToolResult;
          return { status: r.isError ? 400 : 200, message: (r.content[0] as { text?: string } | undefined)?.text ?? '' };
        },
      ],
    ];
    const failures: string[] = [];
    for (const [what, dir, why] of BAD_WORKDIRS) {
      for (const [door, send] of doors) {
        const r = await send(dir());
        if (r.status < 400 || r.status >= 500 || !why.test(r.message)) failures.push(`${door} / ${what}: ${r.status} ${r.message.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(fakeStarts().slice(before)).toEqual([]);
  });

  it('a symlink or `..` that stays inside the allowed prefix works, and the backend runs in the real folder', async () => {
    const before = fakeStarts().length;
    const dirs = [join(allowed, 'link-inside'), join(allowed, 'chain-inside'), `${work}/sub/..`, `${allowed}/link-outside/../allowed/work`];
    const rs = await Promise.all(dirs.map((w) => call('POST', '/api/v1/prompt', { headers: auth, body: { backend: 'claude', prompt: 'inside', workdir: w, ephemeral: true } })));
    rs.forEach((r, i) => expect(r.status, `${dirs[i]}: ${r.text}`).toBe(200));
    expect(fakeStarts().slice(before).map((e) => e.cwd)).toEqual(dirs.map(() => work));
  });

  it('paths in `extra` (--add-dir) obey the same rules: a link to /etc or `..` out of the allowed prefix is refused', async () => {
    const before = fakeStarts().length;
    const bad = ['/etc', join(allowed, 'link-outside'), `${work}/../../..`, join(allowed, 'no-such-dir')];
    for (const dir of bad) {
      const r = await call('POST', '/api/v1/prompt', { headers: auth, body: { backend: 'claude', prompt: 'x', workdir: work, ephemeral: true, extra: ['--add-dir', dir] } });
      expect(r.status, `${dir}: ${r.text}`).toBe(400);
      expect(r.text).toMatch(/extra path/);
    }
    expect(fakeStarts().slice(before)).toEqual([]);
    const ok = await call('POST', '/api/v1/prompt', { headers: auth, body: { backend: 'claude', prompt: 'x', workdir: work, ephemeral: true, extra: ['--add-dir', work] } });
    expect(ok.status, ok.text).toBe(200);
  });

  it('a session whose folder was swapped for a link to /etc cannot be resumed into it, on any door', async () => {
    const swap = join(allowed, 'swap');
    mkdirSync(swap);
    const first = (await call('POST', '/api/v1/prompt', { headers: auth, body: { backend: 'claude', prompt: 'first', workdir: swap } })).json();
    expect(first.exit_code).toBe(0);
    rmSync(swap, { recursive: true });
    symlinkSync('/etc', swap);
    const before = fakeStarts().length;
    const rest = await call('POST', '/api/v1/prompt', { headers: auth, body: { prompt: 'again', session_id: first.session_id } });
    expect(rest.status).toBe(400);
    // The session's folder is named (the caller's own), where it now leads is not.
    expect(rest.json().detail).toMatch(/leads into a blocked directory/);
    expect(rest.text).not.toContain('/etc');
    const oa = await call('POST', '/openai/v1/chat/completions', { headers: auth, body: { model: 'claude', messages: [{ role: 'user', content: 'again' }], clinvk: { session_id: first.session_id } } });
    expect(oa.status).toBe(400);
    expect(oa.json().error.message).toMatch(/leads into a blocked directory/);
    const tool = (await mcp.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'again', session_id: first.session_id } })) as CallToolResult;
    expect(tool.isError).toBe(true);
    expect((tool.content[0] as { text: string }).text).toMatch(/leads into a blocked directory/);
    expect(fakeStarts().slice(before)).toEqual([]);
  });
});

describe('the CLI', () => {
  const cliEnv = (extra: Record<string, string> = {}) => env(extra);

  it('`-w` resolves symlink chains and `..`: the backend and the session get the real folder', async () => {
    const before = fakeStarts().length;
    const [r, dry] = await Promise.all([
      clinvk(['-w', join(allowed, 'chain-inside'), '-o', 'json', 'cli chain'], { env: cliEnv(), cwd: base }),
      clinvk(['-w', `${work}/sub/../../link-inside/sub/..`, '--dry-run', '-o', 'json', 'x'], { env: cliEnv(), cwd: base }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { session_id: string };
    expect(fakeStarts().slice(before).map((e) => e.cwd)).toEqual([work]);
    const session = JSON.parse(readFileSync(join(home, 'sessions', `${out.session_id}.json`), 'utf8')) as { working_dir: string };
    expect(session.working_dir).toBe(work);
    expect(JSON.parse(dry.stdout).cwd).toBe(work);
  });

  it('`-w` through a dangling link, a loop or `..` past a missing folder: one clear line, exit 1, no backend', async () => {
    const before = fakeStarts().length;
    const dirs = [join(allowed, 'dangling'), join(allowed, 'loop1'), `${allowed}/missing/../work`];
    const rs = await Promise.all(dirs.map((w) => clinvk(['-w', w, 'nowhere'], { env: cliEnv(), cwd: base })));
    for (const [i, r] of rs.entries()) {
      expect(r.code, dirs[i]).toBe(1);
      expect(r.stderr).toMatch(/^clinvk: workdir .* does not exist\n/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    expect(fakeStarts().slice(before)).toEqual([]);
  });

  it('`config show` / `config get` print no key, and a key put in the config file is refused without echoing it', async () => {
    const bad = join(base, 'keys-in-config.yaml');
    writeFileSync(bad, `api_keys: [${KEY_ENV}]\nserver:\n  api_keys: [${KEY_ENV2}]\n  api_key: ${KEY_FILE}\n`);
    const cmds = [['config', 'show'], ['config', 'get', 'server'], ['version']];
    const [r, ...rs] = await Promise.all([
      clinvk(['config', 'show'], { env: cliEnv({ CLINVK_CONFIG: bad }), cwd: base }),
      ...cmds.map((args) => clinvk(args, { env: cliEnv(), cwd: base })),
    ]);
    for (const [i, x] of rs.entries()) {
      expect(x.code, `${cmds[i]!.join(' ')}: ${x.stderr}`).toBe(0);
      expect(leaks(x.stdout + x.stderr), cmds[i]!.join(' ')).toEqual([]);
    }
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/api_keys/);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });

  it('a verbose CLI run prints no key and gives the backend none', async () => {
    const envLines = () => (existsSync(envDump) ? readFileSync(envDump, 'utf8').split('\n').filter(Boolean) : []);
    const dumped = envLines().length;
    const r = await clinvk(['--verbose', '-o', 'json', 'verbose run'], { env: cliEnv(), cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/starting backend/); // the debug log really is on
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
    const envs = envLines().slice(dumped);
    expect(envs.length).toBeGreaterThan(0);
    for (const line of envs) {
      expect(leaks(line)).toEqual([]);
      expect(Object.keys(JSON.parse(line) as object).filter((k) => k.startsWith('CLINVK_API_KEYS'))).toEqual([]);
    }
  });
});

describe('keys never leak', () => {
  it('from the server: not in its debug logs, /metrics, session files, the backends\' environment or argv', async () => {
    // More traffic with keys everywhere a client might put one, plus runs that fail.
    const sends: Promise<unknown>[] = [];
    for (const h of [bearer(KEY_ENV), { 'x-api-key': KEY_FILE }, bearer(WRONG), { 'x-api-key': WRONG2 }, { authorization: `Basic ${b64(KEY_ENV2)}` }]) {
      sends.push(call('GET', `/api/v1/sessions?api_key=${KEY_ENV2}&token=${WRONG}`, { headers: h }));
      sends.push(call('GET', `/nope/${WRONG}`, { headers: h }));
      sends.push(call('POST', '/api/v1/prompt', { headers: h, body: '{ not json' }));
      sends.push(call('POST', '/api/v1/prompt', { headers: h, body: { backend: 'nope', prompt: 'x' } }));
      sends.push(call('POST', '/api/v1/prompt', { headers: h, body: { backend: 'claude', prompt: 'x', extra: ['--dangerously-skip-permissions'] } }));
      sends.push(call('POST', '/api/v1/prompt', { headers: h, body: { prompt: 'x', session_id: 'ffffffffffffffff' } }));
      sends.push(call('POST', '/openai/v1/chat/completions', { headers: h, body: { model: 'claude', messages: [] } }));
      sends.push(call('POST', '/anthropic/v1/messages', { headers: h, body: { model: 'claude' } }));
    }
    await Promise.all(sends);
    // Real runs: one that succeeds, one killed by its timeout, one streamed.
    expect((await call('POST', '/api/v1/prompt', { headers: auth, body: { backend: 'claude', prompt: 'logged run' } })).json().exit_code).toBe(0);
    await call('POST', '/api/v1/prompt', { headers: { 'x-api-key': KEY_FILE }, body: { backend: 'claude', prompt: 'too slow', timeout_secs: 0.01 } });
    await call('POST', '/openai/v1/chat/completions', { headers: bearer(KEY_ENV2), body: { ...chatBody(work, true), clinvk: {} } });
    const metrics = await call('GET', '/metrics', { headers: bearer(WRONG) });
    expect(metrics.status).toBe(200);
    expect(leaks(metrics.text)).toEqual([]);

    server.kill('SIGTERM');
    const code = await serverExit;
    expect(code, `${server.signalCode} ${serverOut.slice(-3000)}`).toBe(0);
    // The capture is real: debug lines and one request line per request are in it.
    expect(serverOut).toMatch(/"msg":"starting backend"/);
    expect(serverOut.match(/"route":/g)?.length ?? 0).toBeGreaterThan(40);
    expect(leaks(serverOut)).toEqual([]);

    expect(leaks(readFileSync(fakeLog, 'utf8'))).toEqual([]);
    const envs = readFileSync(envDump, 'utf8').split('\n').filter(Boolean);
    expect(envs.length).toBeGreaterThan(5);
    for (const line of envs) {
      expect(leaks(line), Object.entries(JSON.parse(line) as Record<string, string>).filter(([, v]) => leaks(v).length > 0).map(([k]) => k).join(",")).toEqual([]);
      expect(Object.keys(JSON.parse(line) as object).filter((k) => k.startsWith('CLINVK_API_KEYS'))).toEqual([]);
    }
    const sessionsDir = join(home, 'sessions');
    for (const f of readdirSync(sessionsDir)) if (f.endsWith('.json')) expect(leaks(readFileSync(join(sessionsDir, f), 'utf8')), f).toEqual([]);
  });
});
