// Faults of live agents, each checked against the process table: deaths between and during turns,
// garbled output, timeouts and cancels (the protocol's interrupt), eviction, shutdown.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import { alive } from '../fixtures/proc.ts';
import { fakeLog, noneAlive, runAll, startedPids, turnPids, until, warmEnv, warmRuntime, type WarmEnv } from './warm-helpers.ts';
import type { Config } from '../../runtime/config.ts';

const runtimes: NodeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

async function setup(warm: Partial<Config['warm']> = {}, extra: Record<string, string> = {}): Promise<{ w: WarmEnv; rt: NodeRuntime }> {
  const w = warmEnv(extra);
  const rt = await warmRuntime(w, { warm });
  runtimes.push(rt);
  return { w, rt };
}

describe('live agent faults', () => {
  it('an agent that dies between turns is dropped; the next turn resumes the session on a new one', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend: 'claude', prompt: 'bye [fake:exit]' });
    expect(a.result.error).toBeUndefined();
    const first = turnPids(w)[0]!;
    await until(() => !alive(first));
    // …and the pool has seen it go (a turn that comes first finds the dead agent and runs cold, with a warning).
    await until(async () => (await rt.warm!()).evictions.died === 1);
    const b = await runAll(rt, { backend: 'claude', prompt: 'still there?', sessionId: a.result.sessionId! });
    expect(b.result.error).toBeUndefined();
    expect(b.result.output).toBe('Hello from fake claude (turn 2): still there?');
    const second = turnPids(w)[1]!;
    expect(second).not.toBe(first);
    expect(fakeLog(w).find((l) => l.pid === second && l.phase === 'start')!.argv).toContain('--resume');
    expect((await rt.warm!()).evictions.died).toBe(1);
  });

  it('an agent that dies mid-turn fails that turn with the backend message; the session stays resumable', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend: 'claude', prompt: 'hello' });
    const b = await runAll(rt, { backend: 'claude', prompt: 'boom [fake:crash]', sessionId: a.result.sessionId! });
    expect(b.result.error).toMatchObject({ code: 'BACKEND_FAILED', message: 'Error: fake crash mid-turn' });
    expect(b.result.exitCode).toBe(1);
    expect(b.events.filter((e) => e.type === 'text').length).toBeGreaterThan(0);
    expect(startedPids(w).every((p) => !alive(p))).toBe(true);
    const session = await rt.sessions.get(a.result.sessionId!);
    expect(session).toMatchObject({ status: 'error', turnCount: 2, backendSessionId: a.result.backendSessionId });
    const c = await runAll(rt, { backend: 'claude', prompt: 'again', sessionId: session.id });
    expect(c.result.error).toBeUndefined();
    expect(c.result.output).toMatch(/^Hello from fake claude \(turn 3\): again$/);
  });

  it('garbled output before anything streamed: a warning, and the turn runs cold', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend: 'claude', prompt: 'x [fake:garble]' });
    expect(a.result.error).toBeUndefined();
    expect(a.result.output).toBe('Hello from fake claude (turn 1): x [fake:garble]');
    expect(a.result.warnings.join('\n')).toMatch(/live claude process failed \(claude printed a line that is not stream-json: this is not json/);
    // One live process (dropped), then one cold run.
    expect(fakeLog(w).filter((l) => l.phase === 'start').map((l) => l.argv.includes('--input-format'))).toEqual([true, false]);
    await until(() => turnPids(w).every((p) => !alive(p)));
  });

  it('a total timeout interrupts the turn with the protocol interrupt; the agent serves the next turn', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend: 'claude', prompt: 'wait [fake:hang]', timeoutMs: 300 });
    expect(a.result.error?.code).toBe('TIMEOUT');
    const pid = turnPids(w)[0]!;
    expect(alive(pid)).toBe(true);
    const b = await runAll(rt, { backend: 'claude', prompt: 'next', sessionId: a.result.sessionId! });
    expect(b.result.error).toBeUndefined();
    expect(turnPids(w)).toEqual([pid, pid]);
  });

  it('an idle timeout and a cancel end the turn (IDLE_TIMEOUT, CANCELLED) without killing the agent', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend: 'claude', prompt: 'wait [fake:hang]', idleTimeoutMs: 300 });
    expect(a.result.error?.code).toBe('IDLE_TIMEOUT');
    const ac = new AbortController();
    const run = runAll(rt, { backend: 'claude', prompt: 'wait more [fake:hang]', sessionId: a.result.sessionId! }, ac.signal);
    await until(() => turnPids(w).length === 2);
    ac.abort();
    const b = await run;
    expect(b.result.error?.code).toBe('CANCELLED');
    expect(new Set(turnPids(w)).size).toBe(1);
    expect(alive(turnPids(w)[0]!)).toBe(true);
  });

  it('a consumer that stops reading mid-turn gets the agent killed, and no process is left', async () => {
    const { w, rt } = await setup();
    for await (const e of rt.run({ backend: 'claude', prompt: 'wait [fake:hang]' })) if (e.type === 'text') break;
    await until(() => noneAlive(w));
    expect((await rt.warm!()).agents).toHaveLength(0);
  });

  it('a full pool evicts the least recently used idle agent', async () => {
    // A long idle_secs: on a busy machine a short one runs out between the two turns, and the first
    // agent would go as idle before the second turn needs its place (the idle case is the next test).
    const { w, rt } = await setup({ max_agents: 1, idle_secs: 600 });
    await runAll(rt, { backend: 'claude', prompt: 'a' });
    const b = await runAll(rt, { backend: 'claude', prompt: 'b' });
    const [pa, pb] = turnPids(w);
    expect(pa).not.toBe(pb);
    await until(() => !alive(pa!));
    const { evictions } = await rt.warm!();
    expect(evictions.lru).toBe(1);
    expect(evictions.idle ?? 0).toBe(0);
    expect(alive(pb!)).toBe(true);
    expect(b.result.error).toBeUndefined();
  });

  it('an idle agent goes after idle_secs', async () => {
    const { w, rt } = await setup({ idle_secs: 0.5 });
    const a = await runAll(rt, { backend: 'claude', prompt: 'a' });
    expect(a.result.error).toBeUndefined();
    const [pa] = turnPids(w);
    await until(() => !alive(pa!), 10_000);
    const { evictions } = await rt.warm!();
    expect(evictions.idle).toBe(1);
    expect(evictions.lru ?? 0).toBe(0);
  });

  it('a turn whose fixed start differs (model) replaces the live agent, resuming the session', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend: 'claude', prompt: 'a' });
    await runAll(rt, { backend: 'claude', prompt: 'b', sessionId: a.result.sessionId!, model: 'claude-other-1' });
    const [p1, p2] = turnPids(w);
    expect(p1).not.toBe(p2);
    await until(() => !alive(p1!));
    expect(fakeLog(w).find((l) => l.pid === p2 && l.phase === 'start')!.argv).toEqual(expect.arrayContaining(['--model', 'claude-other-1', '--resume']));
  });

  it('an agent past max_age_secs is restarted between turns and resumes its session', async () => {
    const { w, rt } = await setup({ max_age_secs: 0.2 });
    const a = await runAll(rt, { backend: 'claude', prompt: 'a' });
    await new Promise((r) => setTimeout(r, 300));
    const b = await runAll(rt, { backend: 'claude', prompt: 'b', sessionId: a.result.sessionId! });
    expect(b.result.output).toBe('Hello from fake claude (turn 2): b');
    expect(new Set(turnPids(w)).size).toBe(2);
    expect((await rt.warm!()).evictions.age).toBe(1);
  });

  it('a spare serves a first turn; shutdown kills every process group', async () => {
    const child = join(tmpdir(), `warm-grandchild-${process.pid}-${Date.now()}`);
    const { w, rt } = await setup({ spares: { claude: 1 } }, { FAKE_SPAWN_CHILD: child });
    await until(() => startedPids(w).length === 1);
    const spare = startedPids(w)[0]!;
    const a = await runAll(rt, { backend: 'claude', prompt: 'first' });
    expect(a.result.error).toBeUndefined();
    expect(turnPids(w)).toEqual([spare]);
    await until(() => startedPids(w).length === 2); // a new spare replaces the one taken
    expect((await rt.warm!()).spares).toBe(1);
    const grandchild = Number(readFileSync(child, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    await rt.close();
    await until(() => noneAlive(w) && !alive(grandchild));
  });

  it('without a session store (ephemeral) and with warm off the turn runs cold', async () => {
    const { w, rt } = await setup();
    await runAll(rt, { backend: 'claude', prompt: 'e', ephemeral: true });
    expect(fakeLog(w).find((l) => l.phase === 'start')!.argv).not.toContain('--input-format');
    const off = await setup({ enabled: false });
    await runAll(off.rt, { backend: 'claude', prompt: 'x' });
    expect(fakeLog(off.w).find((l) => l.phase === 'start')!.argv).not.toContain('--input-format');
    expect((await off.rt.backends()).find((b) => b.name === 'claude')!.warm).toBeUndefined();
    expect((await rt.backends()).find((b) => b.name === 'claude')!.warm).toBe(true);
  });

  it('a second turn on a busy session waits for the first; one that gives up while waiting is cancelled', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend: 'claude', prompt: 'a' });
    const sid = a.result.sessionId!;
    const slow = runAll(rt, { backend: 'claude', prompt: 'slow [fake:slow]', sessionId: sid });
    await until(() => turnPids(w).length === 2);
    const ac = new AbortController();
    const waiting = runAll(rt, { backend: 'claude', prompt: 'gives up', sessionId: sid }, ac.signal);
    const queued = runAll(rt, { backend: 'claude', prompt: 'queued', sessionId: sid });
    ac.abort();
    expect((await waiting).result.error?.code).toBe('CANCELLED');
    expect((await slow).result.error).toBeUndefined();
    const q = await queued;
    expect(q.result.error).toBeUndefined();
    expect(q.result.output).toMatch(/^Hello from fake claude \(turn \d\): queued$/);
    expect(new Set(turnPids(w)).size).toBe(1);
    expect(fakeLog(w).filter((l) => l.phase === 'turn').map((l) => l.prompt)).toEqual(['a', 'slow [fake:slow]', 'queued']);
  });

  it('a cold turn on the session meanwhile (another clinvk process) makes the live agent stale: a new one resumes', async () => {
    const { w, rt } = await setup();
    const a = await runAll(rt, { backend: 'claude', prompt: 'a' });
    const sid = a.result.sessionId!;
    const cli = await warmRuntime(w, { warmOn: false, mode: 'cli' });
    runtimes.push(cli);
    expect((await runAll(cli, { backend: 'claude', prompt: 'cold', sessionId: sid })).result.output).toBe('Hello from fake claude (turn 2): cold');
    const c = await runAll(rt, { backend: 'claude', prompt: 'c', sessionId: sid });
    expect(c.result.output).toBe('Hello from fake claude (turn 3): c');
    expect(new Set(turnPids(w)).size).toBe(2);
    expect((await rt.warm!()).evictions.stale).toBe(1);
  });
});
