// The fake codex's long-lived mode (`codex app-server`) driven through the real codec: one live process
// serves many turns (its FAKE_LOG has one `turn` line per turn, all with its PID), threads continue
// across cold `exec resume` and back, and the fault knobs break a turn the way the real CLI can.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codex } from '../../runtime/backends/codex.ts';
import type { WarmOutput, WarmStart } from '../../runtime/backends/warm.ts';
import { alive, descendants } from '../fixtures/proc.ts';
import { startWarm, type WarmDriver } from '../fixtures/warm-driver.ts';
import { stretched } from '../reliability/work-bound.ts';
import { readFakeLog } from '../fixtures/fake-log.ts';

const bin = resolve('test/fixtures/fake-clis/codex');
const home = mkdtempSync(join(tmpdir(), 'fake-codex-app-'));
const start = (o: Partial<WarmStart> = {}): WarmStart => ({ workdir: home, approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false, ...o });
let n = 0;
const drivers: WarmDriver[] = [];
afterEach(() => drivers.splice(0).forEach((d) => d.kill()));

function live(knobs: Record<string, string> = {}, o: Partial<WarmStart> = {}) {
  const log = join(home, `log-${++n}.jsonl`);
  const d = startWarm(codex.warm!, start(o), { command: bin, env: { PATH: process.env.PATH, HOME: home, FAKE_CHUNK_DELAY_MS: '0', FAKE_LOG: log, ...knobs } });
  drivers.push(d);
  const entries = () => readFakeLog(log);
  return { d, entries };
}
const text = (events: WarmOutput[]) => events.flatMap((e) => (e.kind === 'text' ? [e.text] : [])).join('');
const ofKind = <K extends WarmOutput['kind']>(events: WarmOutput[], kind: K) => events.filter((e): e is Extract<WarmOutput, { kind: K }> => e.kind === kind);

function cold(args: string[]): Promise<string> {
  return new Promise((res) => {
    const child = spawn(bin, args, { env: { PATH: process.env.PATH, HOME: home, FAKE_CHUNK_DELAY_MS: '0' }, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', () => res(out));
  });
}

describe('fake codex app-server through the codec', () => {
  it('three turns on one live process: one PID in the log per turn, the thread kept, thread-total usage', async () => {
    const { d, entries } = live();
    await d.ready();
    const turns = [];
    for (const prompt of ['one', 'two', '--three']) turns.push(await d.turn({ prompt }));
    const thread = ofKind(turns[0]!, 'session')[0]!.id;
    expect(turns.map(text)).toEqual(['Hello from fake codex (turn 1): one', 'Hello from fake codex (turn 2): two', 'Hello from fake codex (turn 3): --three']);
    for (const t of turns) {
      expect(t[0]).toEqual({ kind: 'session', id: thread });
      expect(t.at(-1)).toEqual({ kind: 'turn_end' });
    }
    expect(ofKind(turns[2]!, 'usage')).toEqual([{ kind: 'usage', scope: 'thread', usage: { inputTokens: 3600, cachedTokens: 3072, outputTokens: 90, reasoningTokens: 24 } }]);
    const turnLog = entries().filter((e) => e.phase === 'turn');
    expect(turnLog.map((e) => [e.pid, e.turn, e.threadId])).toEqual([1, 2, 3].map((i) => [d.pid, i, thread]));
    expect(entries().filter((e) => e.phase === 'start')).toHaveLength(1);
    const end = await d.shutdown();
    expect(end).toMatchObject({ code: 0, killed: false }); // app-server ends on stdin EOF
  });

  it('a warm thread continues cold (`exec resume`) and a cold one warm (thread/resume on a fresh process)', async () => {
    const { d } = live();
    await d.ready();
    const thread = ofKind(await d.turn({ prompt: 'warm' }), 'session')[0]!.id;
    await d.shutdown();
    const resumed = (await cold(['exec', 'resume', '--json', '--skip-git-repo-check', '--', thread, 'cold'])).trim().split('\n').map((l) => JSON.parse(l));
    expect(resumed.find((e) => e.type === 'item.completed' && e.item.type === 'agent_message')?.item.text).toBe('Hello from fake codex (turn 2): cold');
    const again = live().d;
    await again.ready();
    const t3 = await again.turn({ prompt: 'warm again', resumeId: thread });
    expect(t3[0]).toEqual({ kind: 'session', id: thread });
    expect(text(t3)).toBe('Hello from fake codex (turn 3): warm again');
  });

  it('the system prompt goes as developer instructions; the answer reads as the cold one', async () => {
    const { d } = live({}, { systemPrompt: 'Be brief.' });
    await d.ready();
    expect(text(await d.turn({ prompt: 'hi' }))).toBe('Hello from fake codex (turn 1): Be brief.\n\nhi');
    const coldOut = await cold(['exec', '--json', '--skip-git-repo-check', '--', 'Be brief.\n\nhi']);
    expect(coldOut).toContain(JSON.stringify('Hello from fake codex (turn 1): Be brief.\n\nhi'));
  });

  it('an unknown thread to resume fails that turn with codex’s message; the process serves the next', async () => {
    const { d } = live();
    await d.ready();
    const bad = await d.turn({ prompt: 'x', resumeId: '01a2482c-0000-7000-8000-000000000000' });
    expect(bad).toEqual([{ kind: 'error', message: 'no rollout found for thread id 01a2482c-0000-7000-8000-000000000000', fatal: true, category: 'other' }, { kind: 'turn_end' }]);
    expect(text(await d.turn({ prompt: 'ok' }))).toBe('Hello from fake codex (turn 1): ok');
  });

  it('approvals: the request is answered from the approval mode, and the turn goes on', async () => {
    const refused = live({ FAKE_ASK_APPROVAL: 'command' }, { approvalMode: 'always' });
    await refused.d.ready();
    const t = await refused.d.turn({ prompt: 'x' });
    expect(ofKind(t, 'tool_result')[0]).toMatchObject({ name: 'shell', isError: true });
    expect(ofKind(t, 'warning')[0]!.message).toMatch(/refused \(approval_mode always/);
    expect(refused.entries().find((e) => e.phase === 'approval')).toMatchObject({ decision: 'decline' });
    const edits = live({ FAKE_ASK_APPROVAL: 'file' }, { approvalMode: 'auto', sandboxMode: 'workspace' });
    await edits.d.ready();
    expect(text(await edits.d.turn({ prompt: 'y' }))).toBe('Hello from fake codex (turn 1): y');
    expect(edits.entries().find((e) => e.phase === 'approval')).toMatchObject({ kind: 'file', decision: 'accept' });
  });
});

describe('fake codex app-server faults', () => {
  it('FAKE_HANG: the turn goes silent; turn/interrupt ends it as a cancel and the process serves the next turn', async () => {
    const { d, entries } = live({ FAKE_HANG: '1', FAKE_WARM_FAULT_TURN: '1' });
    await d.ready();
    const hung = await d.turn({ prompt: 'x' }, { interruptOnText: true });
    expect(hung.at(-1)).toEqual({ kind: 'turn_end', cancelled: true });
    expect(hung.some((e) => e.kind === 'error')).toBe(false);
    // FAKE_HANG holds every turn from FAKE_WARM_FAULT_TURN on: the next one hangs too, on the same process.
    const next = await d.turn({ prompt: 'y' }, { interruptOnText: true });
    expect(next.at(-1)).toEqual({ kind: 'turn_end', cancelled: true });
    expect(entries().filter((e) => e.phase === 'turn').map((e) => e.pid)).toEqual([d.pid, d.pid]);
  });

  it('FAKE_IGNORE_INTERRUPT: the interrupt stays pending; a second interrupt has no line, so the group is killed', async () => {
    const { d } = live({ FAKE_HANG: '1', FAKE_IGNORE_INTERRUPT: '1', FAKE_SPAWN_CHILD: join(home, 'grandchild.pid') });
    await d.ready();
    // Interrupted once its first text is out (so the turn is really running); the interrupt is ignored,
    // so the turn runs into its timeout, which only has to outlast a slow machine's start of the turn.
    const first = d.turn({ prompt: 'x' }, { interruptOnText: true, timeoutMs: stretched(3000) });
    await expect(first).rejects.toThrow(/timed out/);
    expect(d.all.some((e) => e.kind === 'text')).toBe(true);
    const grandchild = Number(readFileSync(join(home, 'grandchild.pid'), 'utf8'));
    expect(alive(grandchild)).toBe(true);
    // What the pool does next: interrupt again → no line → the group is killed.
    expect(d.interrupt()).toBe(false);
    await d.exited;
    // SIGKILL is immediate, but a starved process still needs its turn on a CPU to exit.
    const end = Date.now() + stretched(5000);
    while ([d.pid, grandchild].some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    expect([d.pid, grandchild].filter(alive)).toEqual([]);
  }, stretched(20_000));

  it('FAKE_FAIL=crash mid-turn: the turn fails with the backend’s own stderr line', async () => {
    const { d } = live({ FAKE_FAIL: 'crash', FAKE_WARM_FAULT_TURN: '2' });
    await d.ready();
    expect(text(await d.turn({ prompt: 'fine' }))).toBe('Hello from fake codex (turn 1): fine');
    const t = await d.turn({ prompt: 'boom' });
    expect(text(t)).not.toBe(''); // it had streamed: the engine must fail the turn, not rerun it cold
    expect(ofKind(t, 'error')).toEqual([{ kind: 'error', message: "thread 'main' panicked at app-server/src/lib.rs:1: fake crash", fatal: true, category: 'other' }]);
    expect((await d.exited).code).toBe(1);
  });

  it('FAKE_DIE_AFTER_TURN: dies between turns; no turn was running, so nothing is reported', async () => {
    const { d } = live({ FAKE_DIE_AFTER_TURN: '1' });
    await d.ready();
    expect(text(await d.turn({ prompt: 'one' }))).toBe('Hello from fake codex (turn 1): one');
    expect((await d.exited).code).toBe(1);
    expect(d.all.filter((e) => e.kind === 'error')).toEqual([]);
  });

  it('FAKE_GARBAGE mid-turn: fatal (the process is dropped) after the first streamed chunk', async () => {
    const { d } = live({ FAKE_GARBAGE: '1', FAKE_CHUNKS: '3' });
    await d.ready();
    const t = await d.turn({ prompt: 'x' });
    expect(t.at(-1)).toEqual({ kind: 'fatal', message: 'codex app-server printed a line that is not JSON-RPC: this is not json {{{' });
    expect(ofKind(t, 'text')).toHaveLength(1);
  });

  it('FAKE_FAIL=auth from the second turn: a fatal auth error, the turn still ends, the process lives', async () => {
    const { d } = live({ FAKE_FAIL: 'auth', FAKE_WARM_FAULT_TURN: '2' });
    await d.ready();
    await d.turn({ prompt: 'one' });
    const t = await d.turn({ prompt: 'two' });
    expect(ofKind(t, 'error')).toEqual([{ kind: 'error', message: 'unexpected status 401 Unauthorized: Incorrect API key provided: sk-mock.', fatal: true, category: 'auth' }]);
    expect(t.at(-1)).toEqual({ kind: 'turn_end' });
    expect(alive(d.pid)).toBe(true);
  });

  it('prompt markers pick the fault per turn: [fake:garble] before anything, [fake:crash], [fake:exit]', async () => {
    const a = live().d;
    await a.ready();
    const garbled = await a.turn({ prompt: 'x [fake:garble]' });
    expect(garbled.map((e) => e.kind)).toEqual(['session', 'fatal']); // nothing streamed: the engine may run it cold
    const b = live().d;
    await b.ready();
    expect(text(await b.turn({ prompt: 'fine' }))).toBe('Hello from fake codex (turn 1): fine');
    expect(ofKind(await b.turn({ prompt: 'boom [fake:crash]' }), 'error')[0]).toMatchObject({ fatal: true, message: expect.stringMatching(/panicked/) });
    const c = live().d;
    await c.ready();
    expect(text(await c.turn({ prompt: 'bye [fake:exit]' }))).toBe('Hello from fake codex (turn 1): bye [fake:exit]');
    expect((await c.exited).code).toBe(0);
  });

  it('shutdown leaves no process behind, grandchildren included', async () => {
    const { d } = live({ FAKE_SPAWN_CHILD: join(home, 'gc2.pid') });
    await d.ready();
    await d.turn({ prompt: 'x' });
    const family = [d.pid, ...descendants(d.pid)];
    expect(family.length).toBeGreaterThan(1);
    await d.shutdown();
    // SIGKILL is immediate, but a starved process still needs its turn on a CPU to exit.
    const end = Date.now() + stretched(5000);
    while (family.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    expect(family.filter(alive)).toEqual([]);
  });
});
