// `clinvk mcp` as a client launches it: the built CLI over stdio, the SDK's StdioClientTransport,
// the fake backend CLIs on PATH. Tools end to end, progress, cancel (process tree gone), clean exit.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alive, descendants } from '../fixtures/proc.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/clinvk.cjs');
const FAKES = join(ROOT, 'test/fixtures/fake-clis');

let home: string;
const open: { client: Client; transport: StdioClientTransport }[] = [];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/clinvk.cjs is missing: run `npm run build` first');
  home = await mkdtemp(join(tmpdir(), 'clinvk-mcp-e2e-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map(({ client }) => client.close().catch(() => undefined)));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    cwd: home,
    env: { PATH: `${FAKES}:${process.env.PATH ?? ''}`, HOME: home, CLINVK_HOME: join(home, '.clinvk'), ...env },
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  const client = new Client({ name: 'e2e', version: '0' });
  const errors: string[] = [];
  // The stdio progress race (SDK #2580) reports a late progress as an unknown token; anything else is a bug.
  client.onerror = (e) => void (/unknown token/.test(e.message) || errors.push(e.message));
  await client.connect(transport);
  open.push({ client, transport });
  return { client, transport, stderr, errors };
}

const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

describe('clinvk mcp over stdio', () => {
  it('lists the tools, runs a prompt with progress, and resumes its session', async () => {
    const { client, errors } = await start();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('clinvk_prompt');

    const seen: string[] = [];
    const first = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'say hello', backend: 'claude' } }, undefined, { onprogress: (p) => seen.push(p.message ?? '') })) as CallToolResult;
    expect(first.isError).toBeFalsy();
    const out = first.structuredContent as { output: string; session_id: string; backend: string; exit_code: number };
    expect(out).toMatchObject({ backend: 'claude', exit_code: 0 });
    expect(text(first)).toBe(out.output);
    expect(out.output.length).toBeGreaterThan(0);
    // Never assert on the last progress event (it may be lost over stdio); what came is a prefix of the answer.
    expect(out.output.startsWith(seen.join(''))).toBe(true);

    const again = await call(client, 'clinvk_prompt', { prompt: 'and again', session_id: out.session_id });
    expect(again.isError).toBeFalsy();
    expect((again.structuredContent as { session_id: string }).session_id).toBe(out.session_id);

    const list = await call(client, 'clinvk_sessions', { action: 'list' });
    expect(text(list)).toContain(out.session_id);
    expect(errors).toEqual([]);
  });

  it('lists the fake backends as available', async () => {
    const { client } = await start();
    const r = await call(client, 'clinvk_backends', {});
    expect(r.structuredContent).toMatchObject({ backends: expect.arrayContaining([expect.objectContaining({ name: 'claude', available: true })]) });
  });

  it('compare, chain and parallel run on the fake CLIs', async () => {
    const { client } = await start();
    const cmp = await call(client, 'clinvk_compare', { prompt: 'hi', backends: ['claude', 'codex', 'gemini'], ephemeral: true });
    expect(cmp.isError).toBeFalsy();
    expect((cmp.structuredContent as { results: unknown[] }).results).toHaveLength(3);

    const ch = await call(client, 'clinvk_chain', { steps: [{ prompt: 'first', backend: 'claude', ephemeral: true }, { prompt: 'review: {{previous}}', backend: 'codex', ephemeral: true }] });
    expect(ch.isError).toBeFalsy();
    expect(ch.structuredContent).toMatchObject({ total_steps: 2, completed_steps: 2 });

    const par = await call(client, 'clinvk_parallel', { tasks: [{ prompt: 'a', backend: 'gemini', ephemeral: true }, { prompt: 'b', backend: 'claude', ephemeral: true }] });
    expect(par.isError).toBeFalsy();
    expect(par.structuredContent).toMatchObject({ total_tasks: 2, completed: 2, failed: 0 });
  });

  it('bad input is a tool error and the server keeps serving', async () => {
    const { client, transport } = await start();
    const bad = await call(client, 'clinvk_prompt', { prompt: '' });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/prompt must not be empty/);
    const unknown = await call(client, 'clinvk_prompt', { prompt: 'x', backend: 'nope' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/nope/);
    expect(alive(transport.pid!)).toBe(true);
  });

  it('cancelling a hanging run kills the whole process tree', async () => {
    const { client, transport } = await start({ FAKE_HANG: '1', FAKE_SPAWN_CHILD: '1' });
    const ac = new AbortController();
    const pending = client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'hang', backend: 'claude', ephemeral: true } }, undefined, { signal: ac.signal });
    pending.catch(() => undefined);
    let tree: number[] = [];
    await expect.poll(() => (tree = descendants(transport.pid!)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    ac.abort('stop');
    await expect(pending).rejects.toThrow(/stop/);
    await expect.poll(() => tree.filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(alive(transport.pid!)).toBe(true);
  });

  it('exits with 0 when the client closes stdin, killing a run in flight; stdout is protocol only', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp'], { cwd: home, env: { PATH: `${FAKES}:${process.env.PATH ?? ''}`, HOME: home, CLINVK_HOME: join(home, '.clinvk'), FAKE_HANG: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<[number | null, string | null]>((r) => child.once('exit', (code, sig) => r([code, sig])));
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'clinvk_prompt', arguments: { prompt: 'hang', ephemeral: true } } });
    let tree: number[] = [];
    await expect.poll(() => (tree = descendants(child.pid!)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    child.stdin.end();
    expect(await exited).toEqual([0, null]);
    await expect.poll(() => tree.filter(alive), { timeout: 10_000 }).toEqual([]);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
  });
});
