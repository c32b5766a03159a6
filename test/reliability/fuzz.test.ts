// Fuzzing every endpoint of the app. Pass one, in-process: the whole app on the real engine (real
// backend adapters, argv building, workdir checks, session store on disk) behind a Spawner that
// only counts, so "no process for invalid input" is checked exactly. Every field of every request
// schema gets wrong types, out-of-range numbers, huge, unicode, NUL and flag-like strings, traversal
// ids and workdirs; every route every method; /mcp raw JSON-RPC and tools/call with bad arguments;
// then seeded random combinations. Every answer: no 5xx, no throw, the surface's own error format,
// no stack trace; a refused input starts nothing; a flag-like prompt reaches the backend as the
// prompt. Pass two, over a real socket: the live server with the fake CLIs, against what only a
// real HTTP server sees (broken framing, truncated bodies, lying Content-Length).
//
// Reproduce a failure: CLINVK_FUZZ_SEED=<seed printed in the failure> npx vitest run test/reliability/fuzz.test.ts
// More random cases: CLINVK_RELIABILITY_FULL=1.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../handlers/app.ts';
import { createMcpHttpHandler } from '../../mcp/http.ts';
import { defaultConfig } from '../../runtime/config.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { serve, type RunningServer } from '../../runtime/node/server.ts';
import { workdirRefusal } from '../../runtime/workdir.ts';
import { BODY_ENDPOINTS, expectFor, fieldCases, mcpCases, mutationsFor, rawBodyCases, routeCases, setPath, wrap, type Case, type Expect } from './fuzz-cases.ts';
import { FULL } from './full.ts';
import { workBound } from './work-bound.ts';
import { createHarness, describeCase, errorFormatProblem, leakIn, readBody, Rng, rpcMessages, seedFromEnv, surfaceOfPath, type Harness, type Spawned } from './fuzz-harness.ts';

const SEED = seedFromEnv(0x5eed_c11f);
const RANDOM_CASES = FULL ? 3000 : 120;
const BASE = 'http://clinvk.test';

let h: Harness;
let mcpSession = '';

beforeAll(async () => {
  h = await createHarness();
  mcpSession = await openMcpSession();
});
afterAll(() => h?.close());

async function openMcpSession(): Promise<string> {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await h.app.fetch(
    new Request(`${BASE}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '0' } } }),
    }),
  );
  const id = init.headers.get('mcp-session-id');
  await init.text();
  if (!id) throw new Error(`MCP initialize gave no session (HTTP ${init.status})`);
  const ack = await h.app.fetch(new Request(`${BASE}/mcp`, { method: 'POST', headers: { ...headers, 'mcp-session-id': id }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) }));
  await ack.text();
  return id;
}

function toRequest(c: Case): Request {
  const headers = new Headers();
  let body: BodyInit | undefined;
  if (c.body !== undefined) {
    body = typeof c.body === 'string' ? c.body : c.body instanceof Uint8Array ? (c.body as Uint8Array<ArrayBuffer>) : JSON.stringify(c.body);
    headers.set('content-type', 'application/json');
  }
  if (c.mcp) {
    headers.set('accept', 'application/json, text/event-stream');
    headers.set('mcp-session-id', mcpSession);
  }
  for (const [k, v] of Object.entries(c.headers ?? {})) {
    if (v === '') headers.delete(k);
    else headers.set(k, v);
  }
  return new Request(`${BASE}${c.path}`, { method: c.method, headers, ...(body !== undefined ? { body } : {}) });
}

// ------------------------------------------------------------------ what every spawn must look like

/** Session ids a run may legitimately resume: the seeded sessions' and the fake backends' own. */
const RESUMABLE = /^(claude|codex|gemini)-native-1$|^(c1a0de00|0c0de000|9e000000)-0000-4000-8000-00000000000[123]$/;
/** Flags no adapter ever emits and no allow-list lets through. */
const NEVER = new Set(['--dangerously-skip-permissions', '--dangerously-bypass-approvals-and-sandbox', '-c', '--config', '--raw-output', '--session-id', '--output-schema', '--color', '-i', '--prompt-interactive']);

function argvProblems(s: Spawned, flagPrompt: string | undefined): string[] {
  const { args, cwd, env } = s.spec;
  const out: string[] = [];
  const sep = args.indexOf('--');
  let options: string[];
  const onStdin = s.spec.stdin !== undefined;
  // claude with images: the prompt and the images are one stream-json user message on stdin, no prompt in the argv.
  const streamInput = s.backend === 'claude' && args.includes('--input-format');
  if (onStdin && flagPrompt !== undefined && !streamInput && s.spec.stdin !== flagPrompt) out.push(`${s.backend}: flag-like prompt ${JSON.stringify(flagPrompt)} is not what stdin carries`);
  if (streamInput) {
    let line: { type?: string; message?: { content?: { type?: string; text?: string }[] } } | undefined;
    try {
      line = JSON.parse(String(s.spec.stdin)) as typeof line;
    } catch {
      line = undefined;
    }
    const texts = (line?.message?.content ?? []).filter((b) => b.type === 'text').map((b) => b.text ?? '');
    if (line?.type !== 'user') out.push(`claude: stream-json input, but stdin is not one user message: ${String(s.spec.stdin).slice(0, 80)}`);
    else if (flagPrompt !== undefined && !texts.some((t) => t.startsWith(flagPrompt))) out.push(`claude: flag-like prompt ${JSON.stringify(flagPrompt)} is not the user message's text`);
    options = args;
  } else if (onStdin && s.backend === 'claude') {
    // A long prompt goes on stdin: nothing after the final `--`.
    if (args[args.length - 1] !== '--') out.push(`claude: a prompt on stdin, but the argv does not end with "--": ${JSON.stringify(args.slice(-3))}`);
    options = args.slice(0, -1);
  } else if (s.backend === 'claude' || s.backend === 'codex') {
    // The prompt is the last element, after the first `--` (codex resume: `-- <id> <prompt>`; `-` = on stdin).
    const resuming = s.backend === 'codex' && args.includes('resume');
    if (onStdin && args[args.length - 1] !== '-') out.push(`codex: a prompt on stdin, but the last argument is not "-": ${JSON.stringify(args.slice(-3))}`);
    if (sep < 0 || sep !== args.length - (resuming ? 3 : 2)) out.push(`${s.backend}: the prompt is not alone after "--": ${JSON.stringify(args.slice(-4))}`);
    if (resuming && !RESUMABLE.test(args[args.length - 2] ?? '')) out.push(`codex resumes an unexpected id ${args[args.length - 2]}`);
    options = sep < 0 ? args : args.slice(0, sep);
    if (flagPrompt !== undefined && !onStdin && args[args.length - 1] !== flagPrompt) out.push(`${s.backend}: flag-like prompt ${JSON.stringify(flagPrompt)} is not the final argument after "--"`);
  } else if (onStdin) {
    options = args;
    if (options.some((a) => a.startsWith('--prompt') || a === '-p')) out.push('gemini: a prompt on stdin and a prompt option');
  } else {
    const last = args[args.length - 1] ?? '';
    if (!last.startsWith('--prompt=')) out.push(`gemini: the last argument is not --prompt=…: ${JSON.stringify(last.slice(0, 40))}`);
    options = args.slice(0, -1);
    if (options.some((a) => a.startsWith('--prompt') || a === '-p')) out.push('gemini: a second prompt option');
    if (flagPrompt !== undefined && last !== `--prompt=${flagPrompt}`) out.push(`gemini: flag-like prompt ${JSON.stringify(flagPrompt)} is not carried by --prompt=`);
  }
  // claude's --system-prompt takes the next word whatever it looks like (commander's required value).
  // codex exec resume: the adapter's own `-c sandbox_mode=…` / `-c approval_policy=…` (never a caller's -c).
  const overrides = s.backend === 'codex' && args.includes('resume') ? /^(sandbox_mode|approval_policy)="[a-z-]+"$/ : undefined;
  const flags = options.filter((_a, i) => !/^--(append-)?system-prompt$/.test(options[i - 1] ?? '') && !(options[i] === '-c' && overrides?.test(options[i + 1] ?? '')) && !(options[i - 1] === '-c' && overrides?.test(options[i] ?? '')));
  for (const a of flags) if (NEVER.has(a.split('=')[0]!)) out.push(`${s.backend}: forbidden flag ${a} in argv`);
  if (flags.filter((a) => a === '--output-format' || a.startsWith('--output-format=')).length > 1) out.push(`${s.backend}: --output-format twice`);
  options.forEach((a, i) => {
    if (a === '--resume' && !RESUMABLE.test(options[i + 1] ?? '')) out.push(`${s.backend}: --resume ${options[i + 1]} is not a known session`);
    if (a.startsWith('--resume=')) out.push(`${s.backend}: ${a}`);
  });
  if ([...args, ...Object.values(env)].some((a) => typeof a === 'string' && a.includes('\u0000'))) out.push('a NUL reached the argv or env');
  const why = workdirRefusal(cwd, { allowed: [], blocked: [] });
  if (why) out.push(`spawned in a refused workdir: ${why}`);
  else if (!existsSync(cwd) || !statSync(cwd).isDirectory()) out.push(`spawned in ${cwd}, not a directory`);
  return out;
}

// ------------------------------------------------------------------ one case

async function check(c: Case): Promise<string[]> {
  const before = h.spawned.length;
  const errorsBefore = h.errors.length;
  const problems: string[] = [];
  let status = 0;
  let text = '';
  let contentType = '';
  try {
    const req = toRequest(c);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const res = await Promise.race([h.app.fetch(req), new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error('no answer within 15 s')), 15_000)))]);
    clearTimeout(timer);
    status = res.status;
    contentType = res.headers.get('content-type') ?? '';
    const body = await readBody(res, 10_000);
    text = body.text;
    if (!body.complete) problems.push('the body did not end within 10 s');
  } catch (err) {
    return [`threw: ${(err as Error)?.stack ?? String(err)}`];
  }
  const spawned = h.spawned.slice(before);
  const surface = surfaceOfPath(c.path);

  if (status >= 500) problems.push(`HTTP ${status}: ${text.slice(0, 300)}`);
  const leak = leakIn(text);
  if (leak) problems.push(`stack trace or source path in the body: ${JSON.stringify(leak)}`);
  if (status >= 400 && c.method !== 'HEAD') {
    const bad = errorFormatProblem(surface, status, contentType, text);
    if (bad) problems.push(`HTTP ${status} ${bad}: ${text.slice(0, 200)}`);
  }
  if (h.errors.length > errorsBefore) problems.push(`logged an error: ${JSON.stringify(h.errors.slice(errorsBefore)).slice(0, 300)}`);

  let rpcRejected = false;
  let rpcOk = false;
  if (surface === 'mcp' && status === 200 && text.trim()) {
    try {
      const msgs = rpcMessages(text, contentType) as { error?: unknown; result?: { isError?: boolean } }[];
      rpcRejected = msgs.some((m) => m.error !== undefined || m.result?.isError === true);
      rpcOk = msgs.some((m) => m.result !== undefined && m.result.isError !== true);
    } catch {
      problems.push(`MCP answer is not JSON-RPC: ${text.slice(0, 200)}`);
    }
  }

  const rejected = (status >= 400 && status < 500) || rpcRejected;
  const want: Expect = c.expect;
  if (want === 'reject' && !rejected) problems.push(`expected a refusal, got HTTP ${status}: ${text.slice(0, 200)}`);
  if ((want === 'reject' || want === 'nospawn') && spawned.length > 0) problems.push(`started ${spawned.length} process(es) for invalid input: ${JSON.stringify(spawned[0]!.spec.args).slice(0, 300)}`);
  if (want === 'spawn') {
    if (status !== 200) problems.push(`expected 200 for valid input, got ${status}: ${text.slice(0, 300)}`);
    else if (surface === 'mcp' && !rpcOk) problems.push(`expected a tool result, got: ${text.slice(0, 300)}`);
    if (spawned.length === 0) problems.push('valid input started no process');
  }
  for (const s of spawned) problems.push(...argvProblems(s, c.flagPrompt));
  return problems;
}

async function runAll(cases: Case[], label: string): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    const problems = await check(c);
    if (problems.length) failures.push(`${describeCase(c)}\n    → ${problems.join('\n    → ')}`);
  }
  if (failures.length) {
    const shown = failures.slice(0, 25).join('\n\n');
    expect.fail(`${failures.length} of ${cases.length} ${label} cases failed (seed ${SEED}; CLINVK_FUZZ_SEED=${SEED} reproduces):\n\n${shown}${failures.length > 25 ? `\n\n…and ${failures.length - 25} more` : ''}`);
  }
}

// ------------------------------------------------------------------ pass one: in-process

describe(`fuzz in-process (seed ${SEED})`, () => {
  it('the harness: a valid request on every endpoint starts its run (control)', async () => {
    const rng = new Rng(SEED);
    await runAll(BODY_ENDPOINTS.filter((e) => e.spawns).map((ep) => wrap(ep, `${ep.name} valid base`, ep.base(rng, h), 'spawn')), 'control');
  });

  it('every route, every method, path-param ids and queries', async () => {
    await runAll(routeCases(h), 'route');
  });

  for (const ep of BODY_ENDPOINTS) {
    it(`${ep.name}: every field, every bad value`, async () => {
      await runAll(fieldCases(ep, h, new Rng(SEED ^ ep.name.length)), ep.name);
    });
  }

  it('raw bodies: malformed JSON, wrong content types, over the size limit, cross-site posts', async () => {
    const rng = new Rng(SEED);
    await runAll(BODY_ENDPOINTS.flatMap((ep) => rawBodyCases(ep, h, rng)), 'raw body');
  });

  it('/mcp JSON-RPC: broken envelopes, sessions, unknown tools, bad arguments', async () => {
    const backendsJunk = BODY_ENDPOINTS.find((e) => e.tool === 'clinvk_backends')!;
    await runAll([...mcpCases(), wrap(backendsJunk, 'clinvk_backends with junk arguments', { junk: { a: [1, { b: null }] }, prompt: '--help' }, 'nospawn')], 'mcp');
  });

  const randomPass = (n: number, seed: number) => async () => {
    await runAll(randomCases(n, new Rng(seed)), `random (seed ${seed})`);
  };
  // One case is one in-process request (no process is started): ~7 ms on the busy two-core machine.
  const casesBound = (label: string, n: number) => workBound(label, { units: n, unit: 'cases', perUnitMs: 25, fixedMs: 10_000 });
  const firstBound = casesBound(`fuzz random (${RANDOM_CASES} cases)`, RANDOM_CASES);
  it(`random combinations of bad fields (${RANDOM_CASES} cases)`, async () => {
    const t0 = Date.now();
    await randomPass(RANDOM_CASES, SEED)();
    firstBound.report(Date.now() - t0);
  }, firstBound.ms);
  const moreBound = casesBound('fuzz random, more seeds (3 × 1000 cases)', 3000);
  it.runIf(FULL)('random combinations, more seeds (FULL)', async () => {
    const t0 = Date.now();
    for (let i = 1; i <= 3; i++) await randomPass(1000, (SEED + i * 7919) >>> 0)();
    moreBound.report(Date.now() - t0);
  }, moreBound.ms);
});

/** Several mutations at once; the expected outcome is the strongest of theirs (schema > … > valid). */
function randomCases(n: number, rng: Rng): Case[] {
  const rank: Expect[] = ['spawn', 'nospawn', 'any', 'reject'];
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    const ep = rng.pick(BODY_ENDPOINTS.filter((e) => Object.keys(e.fields).length > 1));
    const body = ep.base(rng, h);
    const fields = Object.keys(ep.fields);
    const chosen: string[] = [];
    for (let k = rng.int(1, 4); k > 0; k--) {
      const f = rng.pick(fields);
      // No field twice, and no field inside another chosen one (`tasks` and `tasks.0.prompt`).
      if (chosen.some((c) => c === f || f.startsWith(`${c}.`) || c.startsWith(`${f}.`))) continue;
      chosen.push(f);
    }
    let expect: Expect = ep.spawns ? 'spawn' : 'nospawn';
    let flagPrompt: string | undefined;
    const labels: string[] = [];
    let fragile = false;
    let hardReject = false;
    const touched = new Set<string>();
    for (const f of chosen) {
      const list = f.startsWith('tasks.0.') ? body.tasks : f.startsWith('steps.0.') ? body.steps : undefined;
      const owner = Array.isArray(list) ? (list[0] as Record<string, unknown>) : body;
      const muts = mutationsFor(ep.fields[f]!, h, owner);
      const m = rng.pick(muts);
      setPath(body, f, m.value);
      labels.push(`${f}=${m.label}`);
      const leaf = f.split('.').pop()!;
      touched.add(leaf);
      // A resumed session brings its own backend; an allow-listed extra belongs to one backend.
      if ((leaf === 'session_id' && m.level === 'valid') || m.label.startsWith('allow-listed extra') || m.label === 'existing session') fragile = true;
      if (m.flagPrompt) flagPrompt = m.flagPrompt;
      const e = expectFor(m.level, ep);
      if (m.level === 'schema' || m.level === 'reject') hardReject = true;
      if (rank.indexOf(e) > rank.indexOf(expect)) expect = e;
    }
    if (fragile && !hardReject) expect = 'any';
    // clinvk_sessions reads `id` only for show and delete (and `list` is the default action).
    if (ep.tool === 'clinvk_sessions' && touched.has('action')) expect = 'any';
    // A flag-like prompt is only checked when it is sent as it is: another role makes it part of a
    // transcript, and codex and gemini put a system prompt in front of it.
    if (expect !== 'spawn' || ['role', 'system_prompt', 'instructions', 'system'].some((f) => touched.has(f))) flagPrompt = undefined;
    cases.push(wrap(ep, `random #${i} ${ep.name}: ${labels.join(', ')}`, body, expect, flagPrompt));
  }
  return cases;
}

// ------------------------------------------------------------------ pass two: the live server

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FAKES = join(ROOT, 'test/fixtures/fake-clis');

interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** Writes raw bytes to the server and reads until it closes the connection (or `ms` pass). */
function raw(port: number, chunks: (string | Buffer)[], opts: { endAfter?: boolean; ms?: number; destroyAfterMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : 0, head, body: rest.join('\r\n\r\n') });
    };
    const timer = setTimeout(done, opts.ms ?? 3000);
    sock.on('data', (d) => (data += d.toString('latin1')));
    sock.on('close', done);
    sock.on('error', () => undefined);
    sock.on('connect', () => {
      for (const c of chunks) sock.write(c);
      if (opts.destroyAfterMs !== undefined) setTimeout(() => sock.destroy(), opts.destroyAfterMs);
      else if (opts.endAfter !== false) sock.end();
    });
  });
}

describe('fuzz over a real socket (live server, fake CLIs)', () => {
  let server: RunningServer;
  let home: string;
  let fakeLog: string;
  let workdir: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'clinvk-fuzz-live-'));
    fakeLog = join(home, 'fake.log');
    writeFileSync(fakeLog, '');
    workdir = join(home, 'work');
    writeFileSync(join(home, 'a-file'), 'x');
    mkdirSync(workdir);
    const env: Record<string, string | undefined> = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(FAKE_|CLINVK_)/.test(k))),
      PATH: `${FAKES}${delimiter}${process.env.PATH ?? ''}`,
      CLINVK_HOME: home,
      CLINVK_CONFIG: join(home, 'config.yaml'),
      FAKE_STATE_DIR: join(home, 'fake-state'),
      FAKE_LOG: fakeLog,
    };
    const config = defaultConfig();
    const rt = await createNodeRuntime({ env, cwd: workdir, mode: 'server', config, logLevel: 'silent' });
    const app = createApp(rt, { config, apiKeys: [], mcpFactory: (gated) => createMcpHttpHandler(gated, { defaultBackend: config.default_backend }) });
    server = await serve((req, conn) => app.fetch(req, conn), { host: '127.0.0.1', port: 0, log: rt.log, shutdownGraceMs: 500 });
  });
  afterAll(async () => {
    await server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Backend processes the server started (FAKE_LOG start entries; `--version` probes left out). */
  const starts = () =>
    readFileSync(fakeLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { phase: string; argv: string[]; cli: string })
      .filter((e) => e.phase === 'start' && !e.argv.includes('--version'));
  const up = async () => (await fetch(`${server.url}/health`)).status;

  it('broken HTTP framing, truncated bodies and lying Content-Length: no 500, nothing started, still up', async () => {
    const port = server.port;
    const json = '{"prompt":"never run this","backend":"claude"}';
    const post = (path: string, headers: string, body = '') => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n${body}`;
    const cases: [string, (string | Buffer)[], Parameters<typeof raw>[2]?][] = [
      ['garbage request line', ['HELLO THERE\r\n\r\n']],
      ['binary garbage', [Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10])]],
      ['NUL in the path', ['GET /api/v1/sessions/\0 HTTP/1.1\r\nHost: x\r\n\r\n']],
      ['bad Host header', ['GET /health HTTP/1.1\r\nHost: [::1\r\n\r\n']],
      ['Host with a space', ['GET /health HTTP/1.1\r\nHost: a b\r\n\r\n']],
      ['Host with a bad port', ['GET /health HTTP/1.1\r\nHost: x:99999\r\n\r\n']],
      ['TRACE', ['TRACE /api/v1/prompt HTTP/1.1\r\nHost: x\r\n\r\n']],
      ['CONNECT', ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n']],
      ['OPTIONS *', ['OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n']],
      ['absolute-form URL', ['GET http://evil.example/api/v1/sessions/..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: x\r\n\r\n']],
      ['HTTP/0.9', ['GET /health\r\n\r\n']],
      ['header too large', [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`]],
      ['invalid header name', ['GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n']],
      ['header with a NUL', ['GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n']],
      ['Content-Length and chunked (smuggling)', [post('/api/v1/prompt', 'Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n', `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`)]],
      ['two Content-Lengths', [post('/api/v1/prompt', `Content-Type: application/json\r\nContent-Length: ${json.length}\r\nContent-Length: 3\r\n`, json)]],
      ['negative Content-Length', [post('/api/v1/prompt', 'Content-Type: application/json\r\nContent-Length: -1\r\n', json)]],
      ['bad chunk size', [post('/api/v1/prompt', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n', `ZZ\r\n${json}\r\n0\r\n\r\n`)]],
      ['chunked body cut short', [post('/api/v1/prompt', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n', `${json.length.toString(16)}\r\n${json.slice(0, 10)}`)]],
      ['truncated body, client half-closes', [post('/api/v1/prompt', `Content-Type: application/json\r\nContent-Length: ${json.length + 50}\r\n`, json)]],
      ['truncated body, client vanishes', [post('/openai/v1/chat/completions', 'Content-Type: application/json\r\nContent-Length: 500\r\n', '{"model":"claude","messages":[{"role":"user","content":"never')], { destroyAfterMs: 100 }],
      ['invalid JSON with a huge Content-Length', [post('/api/v1/prompt', 'Content-Type: application/json\r\nContent-Length: 999999999999\r\n', '{"prompt":')]],
      ['invalid JSON, Content-Length just under the limit, then silence', [post('/anthropic/v1/messages', `Content-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024 - 1}\r\n`, '{"model":')], { destroyAfterMs: 200 }],
      ['Content-Length shorter than the body (rest read as a request)', [post('/api/v1/prompt', 'Content-Type: application/json\r\nContent-Length: 5\r\n', json)]],
      ['chunked body over the size limit', [post('/api/v1/prompt', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n', `${(11 * 1024 * 1024).toString(16)}\r\n${'x'.repeat(11 * 1024 * 1024)}\r\n0\r\n\r\n`)], { ms: 8000 }],
      ['MCP with a truncated body', [post('/mcp', 'Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 300\r\n', '{"jsonrpc":"2.0","id":1,"method":"initialize"')]],
      ['pipelined garbage after a good request', ['GET /health HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n']],
    ];
    const failures: string[] = [];
    for (const [name, chunks, opts] of cases) {
      const before = starts().length;
      const a = await raw(port, chunks, opts);
      const status = await up().catch(() => 0);
      if (a.status >= 500) failures.push(`${name}: HTTP ${a.status} ${a.body.slice(0, 200)}`);
      const leak = leakIn(a.body);
      if (leak) failures.push(`${name}: leak ${leak}`);
      if (status !== 200) failures.push(`${name}: server not healthy afterwards (${status})`);
      if (starts().length !== before) failures.push(`${name}: started a backend process`);
    }
    expect(failures).toEqual([]);
  });

  it('refused inputs start no process with the real spawner; flag-like prompts reach the fake CLIs as prompts', async () => {
    const url = server.url;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const file = join(home, 'a-file');
    const refused: [string, unknown][] = [
      ['/api/v1/prompt', { prompt: 'a\u0000b' }],
      ['/api/v1/prompt', { prompt: 'x', model: 'm\u0000' }],
      ['/api/v1/prompt', { prompt: 'p'.repeat(1024 * 1024 + 1) }],
      ['/api/v1/prompt', { prompt: 'x', workdir: file }],
      ['/api/v1/prompt', { prompt: 'x', workdir: '/etc' }],
      ['/api/v1/prompt', { prompt: 'x', extra: ['--dangerously-skip-permissions'] }],
      ['/api/v1/compare', { prompt: 'x', backends: ['nope'] }],
      ['/openai/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'a\u0000b' }] }],
      ['/openai/v1/chat/completions', { model: 'codex', messages: [{ role: 'user', content: 'x'.repeat(1100 * 1024) }] }],
      ['/openai/v1/chat/completions', { model: 'claude', messages: [{ role: 'system', content: 'only a system message' }] }],
      ['/openai/v1/responses', { model: 'gemini', input: 'x', clinvk: { workdir: file } }],
      ['/anthropic/v1/messages', { model: 'claude', max_tokens: 8, messages: [{ role: 'user', content: '\u{1F600}'.repeat(300 * 1024) }] }],
    ];
    const before = starts().length;
    await Promise.all(
      refused.map(async ([path, body]) => {
        const res = await post(path, body);
        const text = await res.text();
        expect.soft(res.status, `${describeCase({ name: 'live', method: 'POST', path, body })}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect.soft(res.status, `${path}: ${text.slice(0, 200)}`).toBeLessThan(500);
      }),
    );
    // A page on another site posting text/plain (no preflight) must not start a run either.
    const csrf = await post('/api/v1/prompt', { prompt: 'csrf' }, { 'content-type': 'text/plain', origin: 'https://evil.example' });
    expect(csrf.status).toBe(403);
    await csrf.text();
    expect(starts().length - before).toBe(0);

    // Flag-like prompts: each fake CLI echoes its prompt, so it must come back as the answer's text.
    const runs = ['claude', 'codex', 'gemini'].flatMap((backend) => ['--help', '-rf', '--output-format=text'].map((prompt) => ({ backend, prompt })));
    await Promise.all(
      runs.map(async ({ backend, prompt }) => {
        const res = await post('/api/v1/prompt', { backend, prompt, workdir, ephemeral: true });
        const body = (await res.json()) as { exit_code: number; output: string };
        expect.soft({ backend, prompt, status: res.status, exit: body.exit_code }).toEqual({ backend, prompt, status: 200, exit: 0 });
        expect.soft(body.output, `${backend} ${prompt}`).toContain(prompt);
      }),
    );
    expect(starts().length - before).toBe(runs.length);
    expect(await up()).toBe(200);
  });
});
