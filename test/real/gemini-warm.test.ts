// The real gemini's long-lived mode through our codec (runtime/backends/gemini-warm.ts): `gemini --acp`
// against a loopback Gemini API mock, in a scratch HOME — two turns on one live process (the model sees
// the first turn in the second's history), a tool refused by the approval mode, an interrupt, a clean
// shutdown that leaves no process, and the session still resumable by a cold `--resume` afterwards.
// Skips with one line when the real CLI is not installed (harness.ts: .cache/real-clis or CLINVK_REAL_CLIS_DIR). Slow (gemini's
// start is ~3 s, far more on a busy machine).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geminiWarm } from '../../runtime/backends/gemini-warm.ts';
import type { WarmStart } from '../../runtime/backends/warm.ts';
import { startWarm, groupMembers, textOf } from '../fixtures/warm-driver.ts';
import { realClis, skipUnless } from './harness.ts';

const bin = realClis().gemini;
const present = !skipUnless('gemini');

/** The Gemini API as the CLI calls it, on loopback: `USE_TOOL:<cmd>` asks for one shell call, anything else gets "Hello from the mock." */
function geminiMock(): Promise<{ url: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const m = /models\/([^:]+):(\w+)/.exec(req.url ?? '');
      if (!m) return res.writeHead(404).end('{}');
      const j = JSON.parse(body || '{}') as { contents?: { parts?: Record<string, unknown>[] }[]; generationConfig?: Record<string, unknown> };
      if (m[2] === 'countTokens') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"totalTokens":42}');
      const usage = { promptTokenCount: 8230, candidatesTokenCount: 11, totalTokenCount: 8290 };
      const cfg = j.generationConfig ?? {};
      if (cfg.responseJsonSchema || cfg.responseSchema || cfg.responseMimeType === 'application/json') {
        // The model router's classification call.
        const text = JSON.stringify({ reasoning: 'simple', model_choice: 'flash', complexity_reasoning: 'simple', complexity_score: 10 });
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP' }], usageMetadata: usage }));
      }
      bodies.push(body);
      const contents = j.contents ?? [];
      const answered = (contents.at(-1)?.parts ?? []).some((p) => p.functionResponse);
      const tool = /USE_TOOL:([^\\"]+)/.exec(JSON.stringify(contents.at(-1) ?? {}));
      const parts = tool && !answered ? [{ text: 'Running it.' }, { functionCall: { name: 'run_shell_command', args: { command: tool[1], description: 'test' } } }] : [{ text: 'Hello from ' }, { text: 'the mock.' }];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      parts.forEach((p, i) => {
        const chunk: Record<string, unknown> = { candidates: [{ content: { parts: [p], role: 'model' }, index: 0, ...(i === parts.length - 1 ? { finishReason: 'STOP' } : {}) }], modelVersion: m[1] };
        if (i === parts.length - 1) chunk.usageMetadata = usage;
        res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
      });
      res.end();
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, bodies, server })));
}

describe.skipIf(!present)('real gemini --acp through the codec', () => {
  let mock: Awaited<ReturnType<typeof geminiMock>>;
  let env: Record<string, string>;
  let workdir: string;
  const start = (over: Partial<WarmStart> = {}): WarmStart => ({ workdir, approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false, ...over });

  beforeAll(async () => {
    mock = await geminiMock();
    const root = mkdtempSync(join(tmpdir(), 'gemini-warm-real-'));
    const home = join(root, 'home');
    workdir = join(root, 'repo');
    mkdirSync(join(home, '.gemini'), { recursive: true });
    mkdirSync(join(root, 'tmp'));
    mkdirSync(workdir);
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    execFileSync('git', ['init', '-q', workdir]);
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: join(root, 'tmp'), GOOGLE_GEMINI_BASE_URL: mock.url, GEMINI_API_KEY: 'mock' };
  });
  afterAll(() => mock?.server.close());

  it('two turns on one live process keep the history; a tool is refused in approval default; shutdown leaves nothing; cold --resume continues', async () => {
    const d = startWarm(geminiWarm, start(), { command: bin!, env: env });
    await d.ready();
    const one = await d.turn({ prompt: 'TOKEN:alpha hi' });
    const two = await d.turn({ prompt: 'TOKEN:beta again' });
    expect(one[0]).toEqual({ kind: 'session', id: expect.stringMatching(/^[0-9a-f-]{36}$/), model: 'auto' });
    expect(two[0]).toEqual(one[0]);
    expect([textOf(one), textOf(two)]).toEqual(['Hello from the mock.', 'Hello from the mock.']);
    expect(two.slice(-2)).toEqual([{ kind: 'usage', scope: 'run', usage: { inputTokens: 8230, outputTokens: 11 } }, { kind: 'turn_end' }]);
    expect(mock.bodies.at(-1)).toMatch(/TOKEN:alpha[\s\S]*TOKEN:beta/);

    const tool = await d.turn({ prompt: 'USE_TOOL:touch made.txt' });
    expect(tool.find((o) => o.kind === 'tool_result')).toMatchObject({ name: 'run_shell_command', isError: true });
    expect(tool.at(-1)).toEqual({ kind: 'turn_end' });
    expect(existsSync(join(workdir, 'made.txt'))).toBe(false);

    expect(await d.shutdown(20_000)).toEqual({ code: 0, signal: null, killed: false }); // EOF is the signal; a busy machine needs more than the 3 s grace
    expect(groupMembers(d.pid)).toEqual([]);

    const sid = (one[0] as { id: string }).id;
    const { stdout } = await promisify(execFile)(bin!, ['--output-format', 'stream-json', '--skip-trust', '--resume', sid, '--prompt=TOKEN:gamma cold'], { env, cwd: workdir });
    expect(stdout).toContain(`"session_id":"${sid}"`);
    expect(mock.bodies.at(-1)).toMatch(/TOKEN:alpha[\s\S]*TOKEN:beta[\s\S]*TOKEN:gamma/);
  }, 300_000);

  it('interrupt (session/cancel) mid-tool under --yolo ends the turn cancelled; the process serves the next turn', async () => {
    const d = startWarm(geminiWarm, start({ approvalMode: 'none' }), { command: bin!, env: env });
    await d.ready();
    const running = d.turn({ prompt: 'USE_TOOL:sleep 20' });
    const began = Date.now();
    while (!mock.bodies.some((b) => b.includes('USE_TOOL:sleep 20')) && Date.now() - began < 60_000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.interrupt()).toBe(true);
    const out = await running;
    expect(Date.now() - began).toBeLessThan(20_000);
    expect(out.at(-1)).toEqual({ kind: 'turn_end', cancelled: true });
    expect(textOf(await d.turn({ prompt: 'TOKEN:after hi' }))).toContain('Hello from the mock.');
    expect(await d.shutdown(20_000)).toEqual({ code: 0, signal: null, killed: false }); // EOF is the signal; a busy machine needs more than the 3 s grace
    expect(groupMembers(d.pid)).toEqual([]);
  }, 300_000);
});
