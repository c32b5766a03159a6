// The MCP tools through the SDK's own Client over InMemoryTransport, against a scripted Runtime:
// tool list, each tool's result, progress, cancellation, failures and bad input.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ClinvkError } from '../../runtime/contract.ts';
import { createMcpServer, TOOL_NAMES } from '../../mcp/server.ts';
import { runResultSchema } from '../../handlers/schemas/responses.ts';
import { compareOutput, runResultOutput } from '../../mcp/tools/output-schemas.ts';
import { fakeRuntime, session, type FakeRuntime } from './handlers/fake-runtime.ts';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(rt: FakeRuntime, defaultBackend = 'claude') {
  const server = createMcpServer(rt, { defaultBackend });
  const [ct, st] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '0' });
  await Promise.all([server.connect(st), client.connect(ct)]);
  clients.push(client);
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (r: CallToolResult, i = 0) => (r.content[i] as { text: string }).text;

describe('tool list', () => {
  it('lists every tool with descriptions, input and output schemas', async () => {
    const { tools } = await (await connect(fakeRuntime())).listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    for (const t of tools) {
      expect(t.description?.length).toBeGreaterThan(40);
      expect(t.outputSchema?.type).toBe('object');
    }
    const prompt = tools.find((t) => t.name === 'clinvk_prompt')!;
    expect(prompt.inputSchema.required).toEqual(['prompt']);
    expect(Object.keys(prompt.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['backend', 'prompt', 'model', 'workdir', 'session_id', 'approval_mode', 'sandbox_mode', 'max_turns', 'system_prompt', 'ephemeral']),
    );
    expect(prompt.description).toMatch(/session_id/);
    const parallel = tools.find((t) => t.name === 'clinvk_parallel')!;
    expect(Object.keys(parallel.inputSchema.properties ?? {})).not.toContain('output_dir');
  });
});

describe('clinvk_prompt', () => {
  it('returns the answer as text and the run as structured content', async () => {
    const rt = fakeRuntime();
    const r = await call(await connect(rt, 'codex'), 'clinvk_prompt', {
      prompt: 'hi', session_id: 'abc', approval_mode: 'auto', sandbox_mode: 'read-only', max_turns: 3, system_prompt: 'be brief', model: 'fast', workdir: '/tmp',
    });
    expect(r.isError).toBeFalsy();
    expect(text(r)).toBe('Hello world');
    expect(text(r, 1)).toMatch(/session_id: abc/);
    expect(r.structuredContent).toMatchObject({ backend: 'codex', output: 'Hello world', session_id: 'abc', exit_code: 0, token_usage: { input_tokens: 3, output_tokens: 2 } });
    // Every key of the REST result, on success too, and still valid against the declared outputSchema.
    expect(r.structuredContent).toMatchObject({ error: null, warnings: [], cost_usd: null, command: null });
    expect(Object.keys(r.structuredContent!).sort()).toEqual(Object.keys(runResultSchema.shape).sort());
    expect(runResultOutput.safeParse(r.structuredContent).error).toBeUndefined();
    expect(rt.calls[0]!.inv).toEqual({
      backend: 'codex', prompt: 'hi', sessionId: 'abc', approvalMode: 'auto', sandboxMode: 'read-only', maxTurns: 3, systemPrompt: 'be brief', model: 'fast', workdir: '/tmp',
    });
    expect(rt.calls[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('streams text deltas as progress notifications when asked', async () => {
    const rt = fakeRuntime(() => ({ chunks: ['a', 'bc', 'd'] }));
    const seen: { progress: number; message?: string }[] = [];
    const r = (await (await connect(rt)).callTool({ name: 'clinvk_prompt', arguments: { prompt: 'x' } }, undefined, { onprogress: (p) => seen.push(p) })) as CallToolResult;
    expect(text(r)).toBe('abcd');
    expect(seen.map((p) => p.message)).toEqual(['a', 'bc', 'd']);
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3]);
  });

  it('reports a failed run as isError with the backend message and keeps the structured result', async () => {
    const rt = fakeRuntime(() => ({ chunks: ['partial'], error: { code: 'BACKEND_AUTH', message: 'not logged in', hint: 'run claude once and log in' } }));
    const r = await call(await connect(rt), 'clinvk_prompt', { prompt: 'x' });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/claude failed \(BACKEND_AUTH, exit 1\): not logged in/);
    expect(text(r)).toMatch(/Hint: run claude once/);
    expect(text(r)).toMatch(/partial/);
    expect(r.structuredContent).toMatchObject({ error: { code: 'BACKEND_AUTH' }, exit_code: 1 });
  });

  it('turns an engine ClinvkError into a tool error and keeps serving', async () => {
    const rt = fakeRuntime((_inv, n) => (n === 1 ? { throws: new ClinvkError('WORKDIR_FORBIDDEN', '/etc is blocked', { hint: 'use a project directory' }) } : {}));
    const client = await connect(rt);
    const bad = await call(client, 'clinvk_prompt', { prompt: 'x', workdir: '/etc' });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toBe('WORKDIR_FORBIDDEN: /etc is blocked\nHint: use a project directory');
    expect(text(await call(client, 'clinvk_prompt', { prompt: 'x' }))).toBe('Hello world');
  });

  it('rejects invalid arguments with a tool error that names the field', async () => {
    const client = await connect(fakeRuntime());
    const missing = await call(client, 'clinvk_prompt', { backend: 'claude' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/Input validation error.*prompt/s);
    const mode = await call(client, 'clinvk_prompt', { prompt: 'x', approval_mode: 'yolo' });
    expect(mode.isError).toBe(true);
    expect(text(mode)).toMatch(/approval_mode/);
  });

  it('cancelling the call aborts the run', async () => {
    const rt = fakeRuntime(() => ({ chunks: Array.from({ length: 100 }, (_, i) => `c${i} `), delayMs: 20 }));
    const client = await connect(rt);
    const ac = new AbortController();
    const pending = client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'x' } }, undefined, { signal: ac.signal, onprogress: () => ac.abort('user stop') });
    await expect(pending).rejects.toThrow(/user stop/);
    await expect.poll(() => rt.calls[0]?.signal?.aborted).toBe(true);
  });

  it('reports a dry run as the command it would run', async () => {
    const rt = fakeRuntime();
    const run = rt.run;
    rt.run = async function* (inv, signal) {
      for await (const ev of run(inv, signal)) {
        yield ev.type === 'done' ? { type: 'done', result: { ...ev.result, output: '', command: { binary: 'claude', args: ['-p', '--', 'hi there'], cwd: '/w' } } } : ev;
      }
    };
    const r = await call(await connect(rt), 'clinvk_prompt', { prompt: 'hi there', dry_run: true });
    expect(text(r)).toContain("claude -p -- 'hi there'");
  });
});

describe('clinvk_backends', () => {
  it('lists availability, version and why not', async () => {
    const r = await call(await connect(fakeRuntime()), 'clinvk_backends', {});
    expect(text(r)).toMatch(/claude: available \(2\.1\.0\).*\[default\]/);
    expect(text(r)).toMatch(/gemini: not available - gemini is not on PATH/);
    expect(r.structuredContent).toMatchObject({ backends: [{ name: 'claude', available: true, version: '2.1.0' }, { name: 'codex' }, { name: 'gemini', available: false }] });
  });
});

describe('clinvk_sessions', () => {
  const sessions = [
    session({ id: 'aaa11111', backend: 'claude', backendSessionId: 'native-1', title: 'fix the tests' }),
    session({ id: 'bbb22222', backend: 'codex', status: 'error', title: 'refactor' }),
  ];

  it('lists with filters, shows one, deletes one', async () => {
    const rt = fakeRuntime(undefined, { sessions: sessions.map((s) => ({ ...s })) });
    const client = await connect(rt);
    const all = await call(client, 'clinvk_sessions', {});
    expect(all.structuredContent).toMatchObject({ total: 2, limit: 20, offset: 0 });
    expect(text(all)).toMatch(/aaa11111 {2}claude {2}completed.*resumable.*"fix the tests"/);
    const codex = await call(client, 'clinvk_sessions', { action: 'list', backend: 'codex' });
    expect((codex.structuredContent as { sessions: { id: string }[] }).sessions.map((s) => s.id)).toEqual(['bbb22222']);

    const show = await call(client, 'clinvk_sessions', { action: 'show', id: 'aaa' });
    expect(show.structuredContent).toMatchObject({ session: { id: 'aaa11111', backend_session_id: 'native-1' } });
    expect(text(show)).toMatch(/session_id "aaa11111"/);

    const short = await call(client, 'clinvk_sessions', { action: 'delete', id: 'bbb' });
    expect(short.isError).toBe(true);
    expect(text(short)).toMatch(/INVALID_INPUT: "bbb" is too short to delete a session: give its full id or at least 8 characters/);
    expect(rt.sessions.all).toHaveLength(2);
    const del = await call(client, 'clinvk_sessions', { action: 'delete', id: 'bbb22222' });
    expect(del.structuredContent).toEqual({ deleted: 'bbb22222' });
    expect(rt.sessions.all.map((s) => s.id)).toEqual(['aaa11111']);
  });

  it('missing id and unknown sessions are tool errors', async () => {
    const client = await connect(fakeRuntime(undefined, { sessions }));
    const noId = await call(client, 'clinvk_sessions', { action: 'show' });
    expect(noId.isError).toBe(true);
    expect(text(noId)).toMatch(/INVALID_INPUT: action show needs an id/);
    const gone = await call(client, 'clinvk_sessions', { action: 'show', id: 'fff' });
    expect(gone.isError).toBe(true);
    expect(text(gone)).toMatch(/SESSION_NOT_FOUND/);
  });
});

describe('clinvk_compare, clinvk_chain, clinvk_parallel', () => {
  it('compare asks each backend and returns every answer, with tagged progress', async () => {
    const rt = fakeRuntime((inv) => ({ chunks: [`answer from ${inv.backend}`] }));
    const seen: string[] = [];
    const r = (await (await connect(rt)).callTool({ name: 'clinvk_compare', arguments: { prompt: 'which?', backends: ['claude', 'codex'] } }, undefined, { onprogress: (p) => seen.push(p.message ?? '') })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    expect(text(r)).toMatch(/^Compared 2 backend\(s\) in .*: 2 ok, 0 failed\./);
    expect(text(r)).toMatch(/=== claude .* ===\nanswer from claude/);
    expect(text(r)).toMatch(/=== codex .* ===\nanswer from codex/);
    expect(r.structuredContent).toMatchObject({ prompt: 'which?', results: [{ backend: 'claude', output: 'answer from claude', error: null, warnings: [] }, { backend: 'codex', output: 'answer from codex', error: null }] });
    expect(compareOutput.safeParse(r.structuredContent).error).toBeUndefined();
    expect(rt.calls.map((c) => c.inv.prompt)).toEqual(['which?', 'which?']);
    expect(seen).toEqual(expect.arrayContaining([expect.stringMatching(/^\[claude.*\] answer from claude$/), expect.stringMatching(/^\[codex.*\] answer from codex$/)]));
  });

  it('compare is an error only when every backend failed', async () => {
    const some = fakeRuntime((inv) => (inv.backend === 'codex' ? { error: { code: 'BACKEND_FAILED', message: 'boom' } } : {}));
    const partial = await call(await connect(some), 'clinvk_compare', { prompt: 'x', backends: ['claude', 'codex'] });
    expect(partial.isError).toBeFalsy();
    expect(text(partial)).toMatch(/1 ok, 1 failed/);
    expect(text(partial)).toMatch(/codex .*FAILED exit 1.*\n.*boom/);
    const none = fakeRuntime(() => ({ error: { code: 'BACKEND_FAILED', message: 'boom' } }));
    expect((await call(await connect(none), 'clinvk_compare', { prompt: 'x', backends: ['claude', 'codex'] })).isError).toBe(true);
  });

  it('chain feeds {{previous}} into the next step and reports each step', async () => {
    const rt = fakeRuntime((_inv, n) => ({ chunks: [`step${n} says hi`] }));
    const r = await call(await connect(rt, 'gemini'), 'clinvk_chain', { steps: [{ prompt: 'plan', name: 'plan' }, { prompt: 'review: {{previous}}', backend: 'codex' }] });
    expect(r.isError).toBeFalsy();
    expect(rt.calls.map((c) => [c.inv.backend, c.inv.prompt])).toEqual([['gemini', 'plan'], ['codex', 'review: step1 says hi']]);
    expect(r.structuredContent).toMatchObject({ total_steps: 2, completed_steps: 2 });
    expect(text(r)).toMatch(/^Chain: 2 of 2 step\(s\) completed/);
  });

  it('chain stops at a failed step and says so', async () => {
    const rt = fakeRuntime(() => ({ error: { code: 'BACKEND_FAILED', message: 'nope' } }));
    const r = await call(await connect(rt), 'clinvk_chain', { steps: [{ prompt: 'a' }, { prompt: 'b' }] });
    expect(r.isError).toBe(true);
    expect(rt.calls).toHaveLength(1);
    expect(r.structuredContent).toMatchObject({ total_steps: 2, completed_steps: 0, failed_step: 1 });
    expect(text(r)).toMatch(/Stopped: step 1 failed/);
  });

  it('parallel runs every task, default backend for tasks without one', async () => {
    const rt = fakeRuntime((inv) => ({ chunks: [inv.prompt.toUpperCase()] }));
    const r = await call(await connect(rt, 'codex'), 'clinvk_parallel', { tasks: [{ prompt: 'a' }, { prompt: 'b', backend: 'claude', name: 'bee' }, { prompt: 'c' }], max_parallel: 2 });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ total_tasks: 3, completed: 3, failed: 0 });
    expect(rt.calls.map((c) => c.inv.backend).sort()).toEqual(['claude', 'codex', 'codex']);
    expect(text(r)).toMatch(/^Parallel: 3 task\(s\), 3 completed, 0 failed/);
    expect(text(r)).toMatch(/bee \/ claude.*\nB/);
  });

  it('cancelling a parallel call aborts its runs', async () => {
    const rt = fakeRuntime(() => ({ chunks: Array.from({ length: 100 }, () => 'x'), delayMs: 20 }));
    const ac = new AbortController();
    const pending = (await connect(rt)).callTool({ name: 'clinvk_parallel', arguments: { tasks: [{ prompt: 'a' }, { prompt: 'b' }] } }, undefined, { signal: ac.signal, onprogress: (p) => /x$/.test(p.message ?? '') && ac.abort('halt') });
    await expect(pending).rejects.toThrow(/halt/);
    await expect.poll(() => rt.calls.length > 0 && rt.calls.every((c) => c.signal?.aborted)).toBe(true);
  });
});
