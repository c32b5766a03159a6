// The pool and the engine's warm path over the fake gemini (--acp) and codex (app-server): a session's
// turns reach one live process with the same answers and session records as cold runs; the fault basics
// per backend, checked against the process table; gemini's sessions that a new live process cannot take
// over (resumeLive false) go cold at once, and its spares serve any workdir (workdirAtSpawn false).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../runtime/contract.ts';
import type { Config } from '../../runtime/config.ts';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import { collect } from '../../runtime/engine.ts';
import { stretched } from '../reliability/work-bound.ts';
import { alive } from '../fixtures/proc.ts';
import { fakeLog, noneAlive, runAll, startedPids, turnPids, until, warmEnv, warmRuntime, type WarmEnv } from './warm-helpers.ts';

const runtimes: NodeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

async function setup(warm: Partial<Config['warm']> = {}, extra: Record<string, string> = {}, warmOn = true): Promise<{ w: WarmEnv; rt: NodeRuntime }> {
  const w = warmEnv(extra);
  const rt = await warmRuntime(w, { warm, warmOn });
  runtimes.push(rt);
  return { w, rt };
}

const LIVE_FLAG = { gemini: '--acp', codex: 'app-server' } as const;
type Backend = keyof typeof LIVE_FLAG;
const isLive = (b: Backend, argv: string[]) => argv.includes(LIVE_FLAG[b]);
const starts = (w: WarmEnv) => fakeLog(w).filter((l) => l.phase === 'start');
/** The answer as text, whatever the chunking (warm codex streams it in several deltas, cold whole). */
const joined = (events: RunEvent[]) => events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('');
/** Event types with consecutive text chunks counted once. */
const shape = (events: RunEvent[]) => events.map((e) => e.type).filter((t, i, a) => !(t === 'text' && a[i - 1] === 'text'));

async function threeTurns(backend: Backend, warmOn: boolean) {
  const { w, rt } = await setup({}, {}, warmOn);
  const first = await runAll(rt, { backend, prompt: 'one' });
  const sid = first.result.sessionId!;
  const second = await runAll(rt, { backend, prompt: 'two', sessionId: sid });
  const third = await runAll(rt, { backend, prompt: 'three', sessionId: sid });
  return { w, rt, runs: [first, second, third], session: await rt.sessions.get(sid) };
}

describe.each(['gemini', 'codex'] as const)('warm %s through the engine', (backend) => {
  it('three turns of a session on one live process, with the answers and records of cold runs', async () => {
    const warm = await threeTurns(backend, true);
    const cold = await threeTurns(backend, false);
    expect(turnPids(warm.w)).toHaveLength(3);
    expect(new Set(turnPids(warm.w)).size).toBe(1);
    expect(starts(warm.w).map((l) => isLive(backend, l.argv))).toEqual([true]);
    expect(startedPids(cold.w)).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      const [a, b] = [warm.runs[i]!, cold.runs[i]!];
      expect(a.result.error).toBeUndefined();
      expect(a.result.output).toBe(b.result.output);
      expect(joined(a.events)).toBe(joined(b.events));
      expect(shape(a.events)).toEqual(shape(b.events));
      expect(a.result.output).toMatch(new RegExp(`\\(turn ${i + 1}\\): ${['one', 'two', 'three'][i]}$`));
    }
    expect(warm.session).toMatchObject({ turnCount: 3, status: 'completed', backendSessionId: warm.runs[0]!.result.backendSessionId });
    expect(cold.session).toMatchObject({ turnCount: 3, status: 'completed' });
    if (backend === 'codex') expect(warm.session.tokenUsage).toEqual(cold.session.tokenUsage);
    // gemini: ACP reports no cached tokens, so warm and cold usage differ (README); both count the turns.
    else expect(warm.session.tokenUsage?.inputTokens).toBeGreaterThan(0);
    await warm.rt.close();
    await until(() => noneAlive(warm.w));
  });

  it('an agent that dies between turns is dropped; the next turn continues the session', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend, prompt: 'bye [fake:exit]' });
    expect(a.result.error).toBeUndefined();
    const first = turnPids(w)[0]!;
    await until(() => !alive(first));
    // …and the pool has seen it go (a turn that comes first finds the dead agent and runs cold, with a warning).
    await until(async () => (await rt.warm!()).evictions.died === 1);
    const b = await runAll(rt, { backend, prompt: 'still there?', sessionId: a.result.sessionId! });
    expect(b.result.error).toBeUndefined();
    expect(b.result.output).toMatch(/\(turn 2\): still there\?$/);
    expect(b.result.backendSessionId).toBe(a.result.backendSessionId);
    expect((await rt.warm!()).evictions.died).toBe(1);
    // codex resumes the thread on a new live process; gemini cannot (resumeLive false): it runs cold, --resume.
    const second = starts(w)[1]!;
    if (backend === 'codex') expect(isLive(backend, second.argv)).toBe(true);
    else expect(second.argv).toEqual(expect.arrayContaining(['--resume', a.result.backendSessionId!]));
    expect(starts(w)).toHaveLength(2);
  });

  it('an agent that dies mid-turn fails that turn; no process is left and the session stays resumable', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend, prompt: 'hello' });
    const b = await runAll(rt, { backend, prompt: 'boom [fake:crash]', sessionId: a.result.sessionId! });
    expect(b.result.error?.code).toBe('BACKEND_FAILED');
    expect(b.result.error?.message).toMatch(backend === 'gemini' ? /fake crash mid-turn/ : /panicked/);
    await until(() => noneAlive(w));
    const c = await runAll(rt, { backend, prompt: 'again', sessionId: a.result.sessionId! });
    expect(c.result.error).toBeUndefined();
    expect(c.result.output).toMatch(/\(turn 3\): again$/);
  });

  it('a timeout and a cancel interrupt the turn; the agent serves the next one; shutdown leaves nothing in /proc', async () => {
    const { w, rt } = await setup();
    // The agent is started and its session made by a first turn, so the timeout below only has to outlast
    // sending one prompt (an interrupt before the turn is out has nothing to cancel, and the agent is killed).
    const first = await runAll(rt, { backend, prompt: 'hello' });
    const pid = turnPids(w)[0]!;
    const a = await runAll(rt, { backend, prompt: 'wait [fake:hang]', sessionId: first.result.sessionId!, timeoutMs: stretched(1000) });
    expect(a.result.error?.code).toBe('TIMEOUT');
    expect(alive(pid)).toBe(true);
    // Cancelled once its first text is out (the turn is surely running; a fixed nap can come before that).
    const ac = new AbortController();
    const cancelled = await collect(rt.run({ backend, prompt: 'wait more [fake:hang]', sessionId: first.result.sessionId! }, ac.signal), (e) => {
      if (e.type === 'text') ac.abort();
    });
    expect(cancelled.error?.code).toBe('CANCELLED');
    const c = await runAll(rt, { backend, prompt: 'next', sessionId: first.result.sessionId! });
    expect(c.result.error).toBeUndefined();
    expect(turnPids(w)).toEqual([pid, pid, pid, pid]);
    await rt.close();
    await until(() => noneAlive(w));
  });

  it('a consumer that stops reading mid-turn gets the agent killed, and no process is left', async () => {
    const { w, rt } = await setup();
    for await (const e of rt.run({ backend, prompt: 'wait [fake:hang]' })) if (e.type === 'text') break;
    await until(() => noneAlive(w));
    expect((await rt.warm!()).agents).toHaveLength(0);
  });
});

describe('gemini specifics in the pool', () => {
  it('a session whose agent is gone runs cold at once: no spare taken, no live process started', async () => {
    const { w, rt } = await setup({ spares: { gemini: 1 } });
    await until(() => starts(w).length === 1);
    const spare = starts(w)[0]!.pid;
    const a = await runAll(rt, { backend: 'gemini', prompt: 'one' });
    expect(turnPids(w)).toEqual([spare]);
    await until(() => starts(w).length === 2); // its replacement spare
    const nextSpare = starts(w)[1]!.pid;
    // The session's agent goes (an idle eviction, a restart past age or size, a death: the same path).
    process.kill(-spare, 'SIGKILL');
    await until(() => !alive(spare));
    // …and the pool has seen it go (a turn that comes first finds the dead agent: cold, with a warning).
    await until(async () => (await rt.warm!()).agents.every((x) => x.pid !== spare));
    const b = await runAll(rt, { backend: 'gemini', prompt: 'two', sessionId: a.result.sessionId! });
    expect(b.result.error).toBeUndefined();
    expect(b.result.warnings).toEqual([]);
    expect(b.result.output).toBe('Hello from fake gemini (turn 2): two');
    const cold = starts(w)[2]!;
    expect(isLive('gemini', cold.argv)).toBe(false);
    expect(cold.argv).toEqual(expect.arrayContaining(['--resume', a.result.backendSessionId!]));
    expect(starts(w)).toHaveLength(3);
    const status = await rt.warm!();
    expect(status.agents.map((x) => [x.pid, x.spare])).toEqual([[nextSpare, true]]);
  });

  it('a spare started in the server workdir serves a first turn in another workdir, and its session stays there', async () => {
    const { w, rt } = await setup({ spares: { gemini: 1 } });
    await until(() => starts(w).length === 1);
    const spare = starts(w)[0]!.pid;
    const other = join(w.home, 'project');
    mkdirSync(other);
    const a = await runAll(rt, { backend: 'gemini', prompt: 'one', workdir: other });
    expect(a.result.error).toBeUndefined();
    expect(turnPids(w)).toEqual([spare]);
    const b = await runAll(rt, { backend: 'gemini', prompt: 'two', sessionId: a.result.sessionId! });
    expect(b.result.output).toBe('Hello from fake gemini (turn 2): two');
    expect(turnPids(w)).toEqual([spare, spare]);
    // session/new got the turn's workdir, not the spare's (the server's).
    const turns = fakeLog(w).filter((l) => l.phase === 'turn') as unknown as { sessionCwd: string }[];
    expect(turns.map((t) => t.sessionCwd)).toEqual([other, other]);
    expect(starts(w)[0]!.argv).toContain('--acp');
  });
});
