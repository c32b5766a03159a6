// Prompts longer than one command-line argument: past 32 KiB the engine hands them to the backend on
// stdin, and each fake CLI (which reads stdin the way its real CLI does) must get the whole prompt.
// Past config max_prompt_bytes the run is refused before anything starts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../runtime/config.ts';
import { ClinvkError, type RunResult } from '../../runtime/contract.ts';
import { PROMPT_ON_STDIN_ABOVE_BYTES } from '../../runtime/engine-plan.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { createApp } from '../../handlers/app.ts';
import { createMcpServer } from '../../mcp/server.ts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { readFakeLog } from '../fixtures/fake-log.ts';

const FAKES = resolve('test/fixtures/fake-clis');

async function runtime(over: { maxPromptBytes?: number } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'clinvk-long-'));
  const log = join(home, 'fake.log');
  const config = defaultConfig();
  if (over.maxPromptBytes !== undefined) config.max_prompt_bytes = over.maxPromptBytes;
  const env = { PATH: `${FAKES}:${process.env.PATH}`, HOME: home, CLINVK_HOME: join(home, '.clinvk'), FAKE_LOG: log, FAKE_CHUNK_DELAY_MS: '0' };
  const rt = await createNodeRuntime({ env, cwd: home, config, logLevel: 'silent' });
  const starts = () => readFakeLog<{ phase: string; argv: string[]; stdinIsTTY: boolean }>(log).filter((e) => e.phase === 'start');
  return { rt, home, starts };
}

async function result(it: AsyncIterable<{ type: string }>): Promise<RunResult> {
  for await (const e of it) if (e.type === 'done') return (e as { type: 'done'; result: RunResult }).result;
  throw new Error('no done event');
}

/** 300 KiB with both ends marked, a flag-like start, and multi-byte characters in the middle. */
const big = `--start-marker ${'0123456789abcdef'.repeat(300 * 64)} café ✓ 😀 end-marker`;

describe('a prompt longer than one argument', () => {
  it.each(['claude', 'codex', 'gemini'])('reaches the fake %s whole, on stdin', async (backend) => {
    const { rt, home, starts } = await runtime();
    const r = await result(rt.run({ backend, prompt: big, workdir: home, ephemeral: true }));
    expect(r.error).toBeUndefined();
    // Each fake answers with its prompt, so the answer holds exactly what arrived on its stdin.
    const echo = `Hello from fake ${backend} (turn 1): ${big}`;
    expect(r.output.length).toBe(echo.length);
    expect(r.output === echo, 'the answer echoes the whole prompt').toBe(true);
    const [start] = starts();
    expect(start!.argv.some((a) => a.includes('start-marker'))).toBe(false);
    const tail = { claude: ['--'], codex: ['--', '-'], gemini: ['--skip-trust'] }[backend]!;
    expect(start!.argv.slice(-tail.length)).toEqual(tail);
  });

  it('a resumed codex thread takes it on stdin too (`-- <thread> -`)', async () => {
    const { rt, home, starts } = await runtime();
    const first = await result(rt.run({ backend: 'codex', prompt: 'first', workdir: home }));
    const again = await result(rt.run({ backend: 'codex', prompt: big, sessionId: first.sessionId!, sandboxMode: 'read-only' }));
    expect(again.output === `Hello from fake codex (turn 2): ${big}`, 'the answer echoes the whole prompt').toBe(true);
    const argv = starts()[1]!.argv;
    expect(argv.slice(-3)).toEqual(['--', first.backendSessionId, '-']);
    expect(argv.slice(0, 6)).toEqual(['exec', 'resume', '--json', '--skip-git-repo-check', '-c', 'sandbox_mode="read-only"']);
  });

  it('up to 32 KiB the prompt stays the last argument; one byte more goes on stdin', async () => {
    const { rt, home } = await runtime();
    const at = 'p'.repeat(PROMPT_ON_STDIN_ABOVE_BYTES);
    expect((await rt.plan({ backend: 'claude', prompt: at, workdir: home })).args.at(-1)).toBe(at);
    const over = await rt.plan({ backend: 'claude', prompt: `${at}p`, workdir: home });
    expect(over.args.at(-1)).toBe('--');
    expect(over.stdin).toBe(`${at}p`);
    // The system prompt counts: codex and gemini put it in front of the prompt.
    const withSystem = await rt.plan({ backend: 'gemini', prompt: at.slice(10), systemPrompt: 's'.repeat(20), workdir: home });
    expect(withSystem.stdin).toBe(`${'s'.repeat(20)}\n\n${at.slice(10)}`);
  });

  it('past max_prompt_bytes (UTF-8 bytes, system prompt included) is refused before anything starts', async () => {
    const { rt, home, starts } = await runtime({ maxPromptBytes: 1000 });
    expect((await result(rt.run({ backend: 'codex', prompt: 'x'.repeat(1000), workdir: home, ephemeral: true }))).exitCode).toBe(0);
    for (const inv of [
      { prompt: 'x'.repeat(1001) },
      { prompt: '€'.repeat(334) }, // 334 characters, 1002 bytes
      { prompt: 'x'.repeat(600), systemPrompt: 'y'.repeat(401) },
    ]) {
      const err = await result(rt.run({ backend: 'codex', workdir: home, ...inv })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClinvkError);
      expect(err).toMatchObject({ code: 'PROMPT_TOO_LARGE', message: expect.stringMatching(/^the prompt is too large: 10\d\d bytes \(with its system prompt\), and this clinvk accepts at most 1000 \(max_prompt_bytes\)$/) });
    }
    expect(starts()).toHaveLength(1);
    expect((await rt.sessions.list()).total).toBe(0);
  });

  it('the default limit is 1 MiB', async () => {
    const { rt, home } = await runtime();
    expect(rt.config.max_prompt_bytes).toBe(1024 * 1024);
    await expect(rt.plan({ backend: 'claude', prompt: 'x'.repeat(1024 * 1024), workdir: home })).resolves.toMatchObject({ stdin: expect.any(String) });
    await expect(rt.plan({ backend: 'claude', prompt: 'x'.repeat(1024 * 1024 + 1), workdir: home })).rejects.toMatchObject({ code: 'PROMPT_TOO_LARGE' });
  });
});

describe('past max_prompt_bytes on every door', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    new Request(`http://127.0.0.1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('REST, OpenAI and Anthropic answer 413 in their own format; MCP a tool error; nothing starts', async () => {
    const { rt, starts } = await runtime({ maxPromptBytes: 1000 });
    const app = createApp(rt, { config: rt.config, apiKeys: [], clientIp: '127.0.0.1' });
    const long = 'x'.repeat(1001);
    const why = /the prompt is too large: \d+ bytes \(with its system prompt\), and this clinvk accepts at most 1000 \(max_prompt_bytes\)/;

    const rest = await app.fetch(post('/api/v1/prompt', { backend: 'codex', prompt: long }));
    expect(rest.status).toBe(413);
    expect(rest.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await rest.json()).toMatchObject({ status: 413, code: 'PROMPT_TOO_LARGE', detail: expect.stringMatching(why) });

    const chat = await app.fetch(post('/openai/v1/chat/completions', { model: 'codex', messages: [{ role: 'user', content: long }] }));
    expect(chat.status).toBe(413);
    expect(await chat.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'prompt_too_large', message: expect.stringMatching(why) } });

    const messages = await app.fetch(post('/anthropic/v1/messages', { model: 'claude', max_tokens: 8, messages: [{ role: 'user', content: long }] }, { 'anthropic-version': '2023-06-01' }));
    expect(messages.status).toBe(413);
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large', message: expect.stringMatching(why) } });

    const server = createMcpServer(rt, { defaultBackend: 'codex' });
    const [ct, st] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '0' });
    await Promise.all([server.connect(st), client.connect(ct)]);
    const tool = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: long } })) as CallToolResult;
    await client.close();
    expect(tool.isError).toBe(true);
    expect((tool.content[0] as { text: string }).text).toMatch(why);

    expect(starts()).toHaveLength(0);
  });
});
