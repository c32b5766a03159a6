// A spare that is taken is replaced once the turn it serves is over, not while that turn runs: a CLI
// start (about a second of CPU for the real claude) on a 2-core machine slows the very turn the spare
// was kept for.
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import { fakeLog, runAll, until, warmEnv, warmRuntime } from './warm-helpers.ts';

const runtimes: NodeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

describe('spare refill', () => {
  it('the replacement spare starts after the turn that took the spare has ended', async () => {
    const w = warmEnv({ FAKE_CHUNKS: '10' });
    const rt = await warmRuntime(w, { warm: { spares: { claude: 1 } } });
    runtimes.push(rt);
    const starts = () => fakeLog(w).filter((l) => l.phase === 'start') as unknown as { pid: number; at: number }[];
    await until(() => starts().length === 1);
    const spare = starts()[0]!;
    // [fake:slow]: 300 ms between 10 chunks, so the turn lasts about 3 s.
    const a = await runAll(rt, { backend: 'claude', prompt: 'take your time [fake:slow]' });
    const ended = Date.now();
    expect(a.result.error).toBeUndefined();
    const turn = fakeLog(w).find((l) => l.phase === 'turn') as unknown as { pid: number; at: number };
    expect(turn.pid).toBe(spare.pid);
    expect(ended - turn.at).toBeGreaterThan(2500);
    await until(() => starts().length === 2);
    const replacement = starts()[1]!;
    // Started (its first log line) after the turn's chunks, not within the turn: the last of them comes 9 × 300 ms
    // after the turn's start. (Measured from the turn's start, not from its end here: writing the session after
    // the turn can take long on a loaded machine, and the spare is started before that.)
    expect(replacement.at).toBeGreaterThan(turn.at + 2_400);
    expect((await rt.warm!()).spares).toBe(1);
  });
});
