// The fake gemini's --acp mode driven through the real codec (runtime/backends/gemini-warm.ts): one live
// process serves many turns (asserted from the fake's log), its faults reach the codec as the pool will
// see them, and nothing of the process group is left behind.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { geminiWarm } from '../../runtime/backends/gemini-warm.ts';
import type { WarmStart } from '../../runtime/backends/warm.ts';
import { startWarm, groupMembers, textOf, type WarmDriver } from '../fixtures/warm-driver.ts';
import { stretched } from '../reliability/work-bound.ts';
import { readFakeLog } from '../fixtures/fake-log.ts';

const bin = resolve('test/fixtures/fake-clis/gemini');
const home = mkdtempSync(join(tmpdir(), 'gemini-warm-'));
const log = join(home, 'fake.log');
const baseEnv = { ...process.env, HOME: home, FAKE_LOG: log, FAKE_CHUNK_DELAY_MS: '0' };
const start = (over: Partial<WarmStart> = {}): WarmStart => ({ workdir: home, approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false, ...over });
const entries = () => readFakeLog<{ phase: string; pid: number; prompt?: string; argv: string[] }>(log);

const live: WarmDriver[] = [];
function open(over: Partial<WarmStart> = {}, env: Record<string, string> = {}): WarmDriver {
  const d = startWarm(geminiWarm, start(over), { command: bin, env: { ...baseEnv, ...env } });
  live.push(d);
  return d;
}
afterEach(async () => {
  for (const d of live.splice(0)) {
    await d.shutdown(500);
    expect(groupMembers(d.pid)).toEqual([]);
  }
});

describe('fake gemini --acp through the codec', () => {
  it('three turns on one live process: same answers as cold turns, one pid in the log, one session', async () => {
    const d = open();
    await d.ready();
    const turns = [];
    for (const p of ['one', 'two', '-x three']) turns.push(await d.turn({ prompt: p }));
    expect(turns.map(textOf)).toEqual(['Hello from fake gemini (turn 1): one', 'Hello from fake gemini (turn 2): two', 'Hello from fake gemini (turn 3): -x three']);
    const sessions = new Set(turns.map((t) => (t[0]?.kind === 'session' ? t[0].id : 'none')));
    expect(sessions.size).toBe(1);
    expect(turns[0]!.at(-2)).toEqual({ kind: 'usage', scope: 'run', usage: { inputTokens: 16460, outputTokens: 22 } });
    expect(turns.every((t) => t.at(-1)?.kind === 'turn_end')).toBe(true);
    const mine = entries().filter((e) => e.pid === d.pid);
    expect(mine.filter((e) => e.phase === 'turn').map((e) => e.prompt)).toEqual(['one', 'two', '-x three']);
    expect(mine.filter((e) => e.phase === 'start')).toHaveLength(1);
    expect(mine[0]!.argv).toEqual(['--acp', '--skip-trust']);

    // The native session is the cold fake's too: a cold --resume continues it.
    const sid = [...sessions][0]!;
    const { stdout } = await promisify(execFile)(bin, ['-o', 'json', '--skip-trust', '--resume', sid, '--prompt=four'], { env: baseEnv, cwd: home });
    expect(JSON.parse(stdout)).toMatchObject({ session_id: sid, response: 'Hello from fake gemini (turn 4): four' });
  });

  it('a turn asked to resume a saved session gets a fatal (never session/load), and the session survives for a cold --resume', async () => {
    const a = open();
    await a.ready();
    const first = await a.turn({ prompt: 'one' });
    const sid = first[0]?.kind === 'session' ? first[0].id : '';
    const b = open();
    await b.ready();
    expect(await b.turn({ prompt: 'two', resumeId: sid })).toEqual([{ kind: 'fatal', message: expect.stringMatching(/cannot resume a saved session/) }]);
    expect(b.stderr()).not.toMatch(/session\/load/);
    const { stdout } = await promisify(execFile)(bin, ['-o', 'json', '--skip-trust', '--resume', sid, '--prompt=two'], { env: baseEnv, cwd: home });
    expect(JSON.parse(stdout)).toMatchObject({ session_id: sid, response: 'Hello from fake gemini (turn 2): two' });
  });

  it('hang + interrupt: session/cancel ends the turn as cancelled, and the same process serves the next turn', async () => {
    const d = open();
    await d.ready();
    const hung = d.turn({ prompt: '[fake:hang] wait' });
    // Interrupt once its first text is out: the prompt is surely sent (a fixed nap can come before that on a loaded machine).
    const end = Date.now() + stretched(10_000);
    while (!d.all.some((o) => o.kind === 'text') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(d.interrupt()).toBe(true);
    const out = await hung;
    expect(out.at(-1)).toEqual({ kind: 'turn_end', cancelled: true });
    expect(out.some((o) => o.kind === 'error')).toBe(false);
    expect(textOf(await d.turn({ prompt: 'after' }))).toBe('Hello from fake gemini (turn 2): after');
  });

  it('crash mid-turn: the turn fails with the backend message, the group is gone', async () => {
    const d = open();
    await d.ready();
    const out = await d.turn({ prompt: '[fake:crash] boom' });
    expect(out.at(-1)).toEqual({ kind: 'error', message: 'Error: fake crash mid-turn', fatal: true, category: 'other' });
    expect((await d.exited).code).toBe(1);
    expect(groupMembers(d.pid)).toEqual([]);
  });

  it('garbled output is fatal, before anything streamed or after; stdout noise is skipped', async () => {
    const d = open();
    await d.ready();
    const noisy = await d.turn({ prompt: '[fake:noise] hi' });
    expect(textOf(noisy)).toBe('Hello from fake gemini (turn 1): [fake:noise] hi');
    expect(noisy.some((o) => o.kind === 'warning' || o.kind === 'fatal')).toBe(false);
    const late = await d.turn({ prompt: '[fake:garble-late] hi' });
    expect(late.map((o) => o.kind)).toEqual(['session', 'text', 'fatal']);
    expect(late.at(-1)).toEqual({ kind: 'fatal', message: expect.stringMatching(/broken message/) });
    const e = open();
    await e.ready();
    expect((await e.turn({ prompt: '[fake:garble] hi' })).map((o) => o.kind)).toEqual(['session', 'fatal']);
  });

  it('tool calls: refused in approval default (no permission left hanging), run under --yolo', async () => {
    const d = open();
    await d.ready();
    const refused = await d.turn({ prompt: '[fake:tool] list' });
    expect(refused.map((o) => o.kind)).toEqual(['session', 'text', 'tool_use', 'tool_result', 'text', 'text', 'text', 'usage', 'turn_end']);
    expect(refused[3]).toMatchObject({ name: 'run_shell_command', isError: true });
    const y = open({ approvalMode: 'none' });
    await y.ready();
    const ran = await y.turn({ prompt: '[fake:tool] list' });
    expect(ran[3]).toEqual({ kind: 'tool_result', id: expect.any(String), name: 'run_shell_command', output: 'README.md\nhello.txt', isError: false });
    expect(entries().find((e) => e.pid === y.pid)!.argv).toEqual(['--acp', '--skip-trust', '--yolo']);
  });

  it('an agent that exits between turns ends its turn normally; the exit belongs to no turn', async () => {
    const d = open();
    await d.ready();
    const out = await d.turn({ prompt: '[fake:exit] bye' });
    expect(out.at(-1)).toEqual({ kind: 'turn_end' });
    expect((await d.exited).code).toBe(0);
  });

  it('auth failure at session/new is fatal (the engine then runs cold, which reports it); EOF on stdin exits 0', async () => {
    const d = open({}, { FAKE_FAIL: 'auth' });
    await d.ready();
    expect(await d.turn({ prompt: 'x' })).toEqual([{ kind: 'fatal', message: expect.stringMatching(/could not start a session: Gemini API key is missing/) }]);
    expect(await d.shutdown()).toEqual({ code: 0, signal: null, killed: false });
  });
});
