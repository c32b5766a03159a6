// The engine's warm path over the fake claude's long-lived mode: one live process serves every turn
// of a session, with the same events, answers and session records as cold runs.
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import { configSchema } from '../../runtime/config.ts';
import { fakeLog, noneAlive, runAll, startedPids, turnPids, until, warmEnv, warmRuntime } from './warm-helpers.ts';

const runtimes: NodeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

async function threeTurns(warmOn: boolean) {
  const w = warmEnv();
  const rt = await warmRuntime(w, { warmOn });
  runtimes.push(rt);
  const first = await runAll(rt, { backend: 'claude', prompt: 'one' });
  const sid = first.result.sessionId!;
  const second = await runAll(rt, { backend: 'claude', prompt: 'two', sessionId: sid });
  const third = await runAll(rt, { backend: 'claude', prompt: 'three', sessionId: sid });
  return { w, rt, runs: [first, second, third], session: await rt.sessions.get(sid) };
}

const shape = (events: { type: string }[]) => events.map((e) => e.type);

describe('warm path', () => {
  it('serves three turns of a session from one live process, like three cold runs', async () => {
    const warm = await threeTurns(true);
    const cold = await threeTurns(false);
    expect(new Set(turnPids(warm.w)).size).toBe(1);
    expect(turnPids(warm.w)).toHaveLength(3);
    expect(startedPids(cold.w)).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      const [a, b] = [warm.runs[i]!, cold.runs[i]!];
      expect(a.result.output).toBe(b.result.output);
      expect(a.result.output).toBe(`Hello from fake claude (turn ${i + 1}): ${['one', 'two', 'three'][i]}`);
      expect(a.result.error).toBeUndefined();
      expect(shape(a.events)).toEqual(shape(b.events));
      expect(a.result.usage).toEqual(b.result.usage);
      expect(a.result.costUsd).toBeCloseTo(b.result.costUsd!);
    }
    expect(warm.session).toMatchObject({ turnCount: 3, status: 'completed', backendSessionId: warm.runs[0]!.result.backendSessionId });
    expect(warm.session.tokenUsage).toEqual(cold.session.tokenUsage);
    expect(warm.session.costUsd).toBeCloseTo(cold.session.costUsd!);
    const status = await warm.rt.warm!();
    expect(status.agents).toHaveLength(1);
    expect(status.agents[0]).toMatchObject({ backend: 'claude', state: 'idle', session: warm.session.id, turns: 3 });
    await warm.rt.close();
    await until(() => noneAlive(warm.w));
  });

  it('a runtime built without `warm` (the one-shot CLI) runs cold even with warm.enabled', async () => {
    const w = warmEnv();
    const rt = await warmRuntime(w, { warmOn: false, mode: 'cli' });
    runtimes.push(rt);
    const a = await runAll(rt, { backend: 'claude', prompt: 'x' });
    expect(a.result.error).toBeUndefined();
    expect(fakeLog(w).find((l) => l.phase === 'start')!.argv).not.toContain('--input-format');
    expect(rt.warm).toBeUndefined();
  });

  it('warm.* settings: defaults, and bad values refused', () => {
    expect(configSchema.parse({}).warm).toEqual({ enabled: true, max_agents: 0, idle_secs: 300, spares: {}, max_age_secs: 3600, max_rss_mb: 2048 });
    expect(configSchema.parse({ warm: { spares: { gemini: 1 } } }).warm.spares).toEqual({ gemini: 1 });
    expect(configSchema.safeParse({ warm: { max_agents: -1 } }).success).toBe(false);
    expect(configSchema.safeParse({ warm: { spares: { claude: 99 } } }).success).toBe(false);
    expect(configSchema.safeParse({ warm: { bogus: 1 } }).success).toBe(false);
  });
});
