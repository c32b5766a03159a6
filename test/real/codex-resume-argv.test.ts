// The real codex (0.171.0), offline against a loopback stand-in for the OpenAI Responses API: the exact
// argv clinvk builds for a resumed run is accepted, and the sandbox asked for reaches the model request
// (codex tells the model its `sandbox_mode` in a <permissions instructions> block). The scratch codex
// config says danger-full-access, so a resume that dropped the sandbox would show that instead.
// A prompt over 32 KiB goes on stdin (`-- <thread> -`) and must arrive whole.
// Skips, saying so, when the real codex is not installed (CLINVK_REAL_CLIS_DIR or .cache/real-clis).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../runtime/config.ts';
import type { RunResult } from '../../runtime/contract.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';

const dirs = [process.env.CLINVK_REAL_CLIS_DIR, resolve('.cache/real-clis')].filter((d): d is string => !!d);
const codexBin = dirs.map((d) => join(d, 'node_modules/.bin/codex')).find((p) => existsSync(p));
if (!codexBin) console.log(`skipped: real codex not found in ${dirs.map((d) => join(d, 'node_modules/.bin')).join(' or ')} (set CLINVK_REAL_CLIS_DIR)`);

/** Every request body the stand-in received, in order. */
const requests: { input?: { role?: string; content?: { type: string; text?: string }[] }[] }[] = [];

/** Answers any POST …/responses with one streamed text message, like the Responses API does. */
function responsesStandIn(): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      requests.push(JSON.parse(body || '{}'));
      if (req.method !== 'POST' || !req.url?.endsWith('/responses')) return void res.writeHead(404).end('{}');
      const n = requests.length;
      const text = 'Hello from the stand-in.';
      const events = [
        { type: 'response.created', response: { id: `resp_${n}` } },
        { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: `msg_${n}`, role: 'assistant', content: [] } },
        { type: 'response.output_text.delta', item_id: `msg_${n}`, output_index: 0, content_index: 0, delta: text },
        { type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: `msg_${n}`, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] } },
        { type: 'response.completed', response: { id: `resp_${n}`, usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 } } },
      ];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of events) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      res.end();
    });
  });
}

/** The sandbox the newest <permissions instructions> block of a request names. */
const lastSandbox = (r: (typeof requests)[number]) => [...JSON.stringify(r).matchAll(/`sandbox_mode` is `([a-z-]+)`/g)].at(-1)?.[1];
/** The user texts of a request, in order. */
const userTexts = (r: (typeof requests)[number]) => (r.input ?? []).filter((i) => i.role === 'user').flatMap((i) => (i.content ?? []).map((c) => c.text ?? ''));

async function result(events: AsyncIterable<{ type: string }>): Promise<RunResult> {
  for await (const e of events) if (e.type === 'done') return (e as { type: 'done'; result: RunResult }).result;
  throw new Error('no done event');
}

describe.skipIf(!codexBin)(`real codex ${codexBin ?? '(not found: set CLINVK_REAL_CLIS_DIR)'}`, () => {
  let server: Server;
  let rt: Awaited<ReturnType<typeof createNodeRuntime>>;
  let workdir: string;

  beforeAll(async () => {
    server = responsesStandIn();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const home = mkdtempSync(join(tmpdir(), 'clinvk-real-codex-'));
    workdir = join(home, 'work');
    mkdirSync(workdir);
    mkdirSync(join(home, '.codex'));
    const port = (server.address() as AddressInfo).port;
    writeFileSync(
      join(home, '.codex', 'config.toml'),
      [
        'model = "gpt-mock-1"',
        'model_provider = "mock"',
        'sandbox_mode = "danger-full-access"',
        '[model_providers.mock]',
        'name = "Mock"',
        `base_url = "http://127.0.0.1:${port}/v1"`,
        'env_key = "MOCK_API_KEY"',
        'wire_api = "responses"',
        '',
      ].join('\n'),
    );
    const config = defaultConfig();
    config.backends = { codex: { command: codexBin!, models: {}, allowed_tools: [], enabled: true, extra_flags: [], skip_trust: true } };
    const env = { PATH: process.env.PATH, HOME: home, CODEX_HOME: join(home, '.codex'), CLINVK_HOME: join(home, '.clinvk'), MOCK_API_KEY: 'sk-mock' };
    rt = await createNodeRuntime({ env, cwd: workdir, config, logLevel: 'silent' });
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('a resumed read-only run: the argv is accepted and read-only reaches the model request', async () => {
    const first = await result(rt.run({ backend: 'codex', prompt: 'first turn', workdir, sandboxMode: 'workspace' }));
    expect(first.error, first.stderrTail).toBeUndefined();
    expect(lastSandbox(requests.at(-1)!)).toBe('workspace-write');

    const inv = { backend: 'codex', prompt: 'second turn', sessionId: first.sessionId!, sandboxMode: 'read-only' as const };
    const plan = await rt.plan(inv);
    expect(plan.args).toEqual(['exec', 'resume', '--json', '--skip-git-repo-check', '-c', 'sandbox_mode="read-only"', '--', first.backendSessionId, 'second turn']);
    const again = await result(rt.run(inv));
    expect(again.error, again.stderrTail).toBeUndefined();
    expect(again.output).toBe('Hello from the stand-in.');
    expect(again.backendSessionId).toBe(first.backendSessionId);
    expect(lastSandbox(requests.at(-1)!)).toBe('read-only');
  }, 120_000);

  it('a resumed run with a 300 KiB prompt takes it whole on stdin', async () => {
    const first = await result(rt.run({ backend: 'codex', prompt: 'start', workdir }));
    expect(first.error, first.stderrTail).toBeUndefined();
    const big = `--not-a-flag ${'0123456789abcdef'.repeat(300 * 64)} ✓ end`;
    const plan = await rt.plan({ backend: 'codex', prompt: big, sessionId: first.sessionId! });
    expect(plan.args.slice(-3)).toEqual(['--', first.backendSessionId, '-']);
    const again = await result(rt.run({ backend: 'codex', prompt: big, sessionId: first.sessionId! }));
    expect(again.error, again.stderrTail).toBeUndefined();
    expect(userTexts(requests.at(-1)!).at(-1) === big, 'the last user text is the whole prompt').toBe(true);
  }, 120_000);
});
