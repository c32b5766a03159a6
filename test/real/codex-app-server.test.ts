// The real codex's long-lived mode through our codec, offline: `codex app-server` against a loopback
// Responses mock (responses-mock.ts), a scratch HOME, cwd a scratch git repo. Needs the real CLI:
// Skips with one line when the real CLI is not installed (harness.ts: .cache/real-clis or CLINVK_REAL_CLIS_DIR).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codex } from '../../runtime/backends/codex.ts';
import type { WarmOutput, WarmStart } from '../../runtime/backends/warm.ts';
import { alive, descendants } from '../fixtures/proc.ts';
import { startWarm, type WarmDriver } from '../fixtures/warm-driver.ts';
import { startResponsesMock, type ResponsesMock } from './responses-mock.ts';
import { realClis, skipUnless } from './harness.ts';

const bin = realClis().codex;
const present = !skipUnless('codex');

const text = (events: WarmOutput[]) => events.flatMap((e) => (e.kind === 'text' ? [e.text] : [])).join('');
const sessions = (events: WarmOutput[]) => events.flatMap((e) => (e.kind === 'session' ? [e.id] : []));
const usage = (events: WarmOutput[]) => events.flatMap((e) => (e.kind === 'usage' ? [e.usage] : [])).at(-1);

describe.skipIf(!present)('real codex app-server through the codec', { timeout: 120_000 }, () => {
  let mock: ResponsesMock;
  let root: string;
  let repo: string;
  let env: Record<string, string | undefined>;
  const drivers: WarmDriver[] = [];
  const start = (o: Partial<WarmStart> = {}): WarmStart => ({ workdir: repo, approvalMode: 'none', sandboxMode: 'read-only', extra: [], ephemeral: false, ...o });
  const live = (o: Partial<WarmStart> = {}) => {
    const d = startWarm(codex.warm!, start(o), { command: bin!, env });
    drivers.push(d);
    return d;
  };

  beforeAll(async () => {
    mock = await startResponsesMock();
    root = mkdtempSync(join(tmpdir(), 'clinvk-real-codex-app-'));
    const home = join(root, 'home');
    mkdirSync(join(home, '.codex'), { recursive: true });
    writeFileSync(
      join(home, '.codex/config.toml'),
      `model = "gpt-mock-1"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "Mock"\nbase_url = "${mock.url}"\nenv_key = "MOCK_API_KEY"\nwire_api = "responses"\n`,
    );
    repo = join(root, 'repo');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo });
    writeFileSync(join(repo, 'README.md'), 'hi\n');
    env = { PATH: process.env.PATH, HOME: home, CODEX_HOME: join(home, '.codex'), MOCK_API_KEY: 'sk-mock' };
  });
  afterAll(async () => {
    for (const d of drivers) d.kill();
    await mock?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('two turns on one live process keep the thread; it exits 0 on stdin EOF and leaves nothing behind', async () => {
    const d = live();
    await d.ready();
    const one = await d.turn({ prompt: 'TOKEN:alpha hi' });
    const two = await d.turn({ prompt: 'TOKEN:beta hi' });
    expect(text(one)).toBe('seen: alpha');
    expect(text(two)).toBe('seen: alpha,beta'); // the second turn was shown the first: one native session
    const thread = sessions(one)[0];
    expect(thread).toMatch(/^[0-9a-f-]{36}$/);
    expect(sessions(two)).toEqual([thread]);
    expect(one.at(-1)).toEqual({ kind: 'turn_end' });
    expect(two.at(-1)).toEqual({ kind: 'turn_end' });
    expect(usage(one)).toEqual({ inputTokens: 1200, cachedTokens: 1024, outputTokens: 30, reasoningTokens: 8 });
    expect(usage(two)).toEqual({ inputTokens: 2400, cachedTokens: 2048, outputTokens: 60, reasoningTokens: 16 }); // the thread's total
    expect([...one, ...two].filter((e) => e.kind === 'error' || e.kind === 'fatal')).toEqual([]);
    const family = [d.pid, ...descendants(d.pid)];
    const end = await d.shutdown();
    expect(end).toMatchObject({ code: 0, killed: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(family.filter(alive)).toEqual([]);

    // A fresh process resumes that thread (what a spare does for an existing session).
    const again = live();
    await again.ready();
    const three = await again.turn({ prompt: 'TOKEN:gamma hi', resumeId: thread });
    expect(sessions(three)).toEqual([thread]);
    expect(text(three)).toBe('seen: alpha,beta,gamma');
    expect(usage(three)).toEqual({ inputTokens: 3600, cachedTokens: 3072, outputTokens: 90, reasoningTokens: 24 });
    await again.shutdown();
  });

  it('system prompt as developer instructions, model and sandbox reach codex', async () => {
    const before = mock.requests.length;
    const d = live({ systemPrompt: 'Answer like a pirate.', model: 'gpt-mock-2' });
    await d.ready();
    await d.turn({ prompt: 'TOKEN:x hi' });
    const req = mock.requests.slice(before).at(-1)!;
    expect(req.model).toBe('gpt-mock-2');
    expect(JSON.stringify(req.input)).toContain('Answer like a pirate.');
    await d.shutdown();
  });

  it('interrupt: turn/interrupt ends a turn stuck on the model as a cancel; the process serves the next turn', async () => {
    const d = live();
    await d.ready();
    const asked = mock.requests.length;
    const turn = d.turn({ prompt: 'SLOW TOKEN:one' }, { timeoutMs: 60_000 });
    // Interrupt once the model was asked: by then the turn/start reply has named the turn.
    while (!mock.requests.slice(asked).some((r) => JSON.stringify(r.input).includes('SLOW'))) await new Promise((r) => setTimeout(r, 50));
    expect(d.interrupt()).toBe(true); // the protocol's interrupt, not a kill
    const stuck = await turn;
    expect(stuck.at(-1)).toEqual({ kind: 'turn_end', cancelled: true });
    const next = await d.turn({ prompt: 'TOKEN:two' });
    expect(text(next)).toMatch(/^seen: .*two$/);
    await d.shutdown();
  });

  it('a process started in one folder runs a thread in another: thread/start cwd sets the commands\' cwd and the AGENTS.md read (what lets a codex spare serve any workdir)', async () => {
    const dirs = ['spawned-here', 'thread-here'].map((name) => {
      const dir = join(root, name);
      mkdirSync(dir);
      execFileSync('git', ['init', '-q'], { cwd: dir });
      writeFileSync(join(dir, 'AGENTS.md'), `Project notes: MARKER_${name.replace('-', '_').toUpperCase()}\n`);
      return dir;
    });
    const [spawnDir, threadDir] = dirs as [string, string];
    const d = live({ workdir: spawnDir, sandboxMode: 'full' });
    await d.ready();
    const before = mock.requests.length;
    const t = await d.turn({ prompt: 'USE_TOOL:pwd', workdir: threadDir });
    expect(t.at(-1)).toEqual({ kind: 'turn_end' });
    const [asked, afterTool] = mock.requests.slice(before).map((r) => JSON.stringify(r.input));
    expect(asked).toContain('MARKER_THREAD_HERE');
    expect(asked).not.toContain('MARKER_SPAWNED_HERE');
    expect(asked).toContain(`<cwd>${threadDir}</cwd>`);
    expect(afterTool).toMatch(new RegExp(`function_call_output.*${threadDir.replace(/[/.]/g, '\\$&')}`));
    expect(afterTool).not.toContain(spawnDir);
    await d.shutdown();
  });

  it('approval_mode always: codex runs in its read-only sandbox (workspace asked for), the file is not made, the turn ends', async () => {
    const d = live({ approvalMode: 'always', sandboxMode: 'workspace' });
    await d.ready();
    const asked = mock.requests.length;
    const t = await d.turn({ prompt: 'USE_TOOL:touch made-by-tool.txt' });
    // codex reports no item at all for a command its sandbox refused to start (seen with its unified
    // `exec_command`, cold `codex exec --json` alike; a command that runs is a commandExecution item): when a
    // tool_result is there, it is an error; either way the command's failure reaches the model.
    const result = t.find((e) => e.kind === 'tool_result');
    if (result) expect(result).toMatchObject({ isError: true });
    expect(JSON.stringify(mock.requests.slice(asked))).toMatch(/function_call_output/);
    // codex 0.171 refuses `untrusted`: `always` is the read-only sandbox (codex-modes.ts), which codex tells the model.
    expect(JSON.stringify(mock.requests.slice(asked))).toMatch(/`sandbox_mode` is `read-only`/);
    expect(existsSync(join(repo, 'made-by-tool.txt'))).toBe(false);
    // A writable sandbox made codex 0.171 mark the workdir trusted in the user's config.toml; not with our thread config.
    expect(readFileSync(join(env.HOME!, '.codex/config.toml'), 'utf8')).not.toMatch(/trust_level/);
    expect(t.at(-1)).toEqual({ kind: 'turn_end' });
    await d.shutdown();
  });
});
