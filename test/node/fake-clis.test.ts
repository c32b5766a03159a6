// The fakes must look like the real CLIs to our code: formats, session ids, resume, and the real traps.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const dir = resolve('test/fixtures/fake-clis');
const home = mkdtempSync(join(tmpdir(), 'fakes-'));
const env = { ...process.env, HOME: home, FAKE_CHUNK_DELAY_MS: '0', PATH: `${dir}:${process.env.PATH}` };

function run(cli: string, args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(join(dir, cli), args, { env: { ...env, ...extra }, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}
const lines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

describe('fake CLIs', () => {
  it('claude streams partial messages and resumes its own session id', async () => {
    const a = await run('claude', ['-p', '--output-format', 'stream-json', '--verbose', '--include-partial-messages', '--', '--help me']);
    expect(a.code).toBe(0);
    const ev = lines(a.stdout);
    const sid = ev[0]!.session_id as string;
    expect(ev.filter((e) => e.event?.delta?.type === 'text_delta').map((e) => e.event.delta.text).join('')).toBe('Hello from fake claude (turn 1): --help me');
    expect(ev.at(-1)).toMatchObject({ type: 'result', is_error: false, session_id: sid, usage: { input_tokens: 12, output_tokens: 9 } });
    const b = await run('claude', ['-p', '--output-format', 'json', '--resume', sid, '--', 'again']);
    expect(JSON.parse(b.stdout)).toMatchObject({ session_id: sid, result: 'Hello from fake claude (turn 2): again' });
  });

  it('claude rejects unknown flags and stream-json without --verbose like the real one', async () => {
    expect(await run('claude', ['-p', '--bogus', 'x'])).toMatchObject({ code: 1, stderr: "error: unknown option '--bogus'\n" });
    expect((await run('claude', ['-p', '--output-format', 'stream-json', 'x'])).stderr).toMatch(/requires --verbose/);
  });

  it('codex: thread id, cumulative usage over resume, unknown resume id, clap errors', async () => {
    const a = lines((await run('codex', ['exec', '--json', '--skip-git-repo-check', '--', 'hi'])).stdout);
    const thread = a[0]!.thread_id as string;
    expect(thread).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    const b = lines((await run('codex', ['exec', 'resume', '--json', '--skip-git-repo-check', '--', thread, 'again'])).stdout);
    expect(b.at(-1)).toMatchObject({ type: 'turn.completed', usage: { input_tokens: 2400, output_tokens: 60 } });
    expect(b.find((e) => e.item?.type === 'agent_message')!.item.text).toBe('Hello from fake codex (turn 2): again');
    expect((await run('codex', ['exec', 'resume', '--json', '--skip-git-repo-check', '--', 'nope', 'x'])).stderr).toMatch(/no rollout found for thread id nope/);
    expect((await run('codex', ['exec', '--bogus'])).code).toBe(2);
    expect((await run('codex', ['exec', 'resume', '-C', '/tmp', 'x'])).code).toBe(2);
    expect((await run('codex', ['exec', '--json', '--', 'x'])).stderr).toMatch(/--skip-git-repo-check was not specified/);
  });

  it('codex waits on an open stdin pipe, and proceeds once it closes', async () => {
    const child = spawn(join(dir, 'codex'), ['exec', '--json', '--skip-git-repo-check', '--', 'hi'], { env, cwd: home, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    await new Promise((r) => setTimeout(r, 400));
    expect(stdout).toBe('');
    child.stdin.end();
    await new Promise((r) => child.on('close', r));
    expect(stdout).toMatch(/turn.completed/);
  });

  it('gemini: --prompt= form, 42 when -- drops the prompt, 55 without --skip-trust', async () => {
    const a = lines((await run('gemini', ['--output-format', 'stream-json', '--skip-trust', '--prompt=-x'])).stdout);
    expect(a[0]).toMatchObject({ type: 'init' });
    expect(a.filter((e) => e.delta).map((e) => e.content).join('')).toBe('Hello from fake gemini (turn 1): -x');
    expect((await run('gemini', ['--skip-trust', '--', 'hi'])).code).toBe(42);
    expect((await run('gemini', ['--prompt=hi'])).code).toBe(55);
    const j = await run('gemini', ['-o', 'json', '--skip-trust', '--resume', a[0]!.session_id, '--prompt=again']);
    expect(j.stdout.endsWith('}')).toBe(true);
    expect(JSON.parse(j.stdout)).toMatchObject({ session_id: a[0]!.session_id, response: 'Hello from fake gemini (turn 2): again' });
  });

  it('logs invocations and can start a grandchild', async () => {
    const log = join(home, 'log.jsonl');
    const pidFile = join(home, 'child.pid');
    await run('gemini', ['--skip-trust', '--prompt=x'], { FAKE_LOG: log, FAKE_SPAWN_CHILD: pidFile });
    const entries = lines(readFileSync(log, 'utf8'));
    expect(entries.map((e) => e.phase)).toEqual(['start', 'end']);
    expect(entries[0]!.argv).toEqual(['--skip-trust', '--prompt=x']);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2]).not.toBe('Z');
    process.kill(pid, 'SIGKILL');
  });

  it('prints the real version lines', async () => {
    const v = promisify(execFile);
    expect((await v(join(dir, 'codex'), ['--version'], { env })).stdout.trim()).toBe('codex-cli 0.169.0');
  });
});
