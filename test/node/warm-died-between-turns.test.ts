// A live agent that dies after the pool picked it for a turn but before the turn reached it (its exit
// lands while the engine opens the session): the turn runs cold, resuming the session, and the warning
// says what happened (it died between turns), not that the process "did not start".
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import type { WarmTurnEvent } from '../../runtime/warm-port.ts';
import { alive } from '../fixtures/proc.ts';
import { fakeLog, runAll, turnPids, until, warmEnv, warmRuntime } from './warm-helpers.ts';

const runtimes: NodeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

describe('a live agent that dies between turns, seen only once the turn reached it', () => {
  it('runs the turn cold with --resume and warns that the agent died between turns', async () => {
    const w = warmEnv();
    const rt = await warmRuntime(w);
    runtimes.push(rt);
    const a = await runAll(rt, { backend: 'claude', prompt: 'one' });
    expect(a.result.error).toBeUndefined();
    const first = turnPids(w)[0]!;

    // The pool hands out the (still idle) agent, then pauses at its `agent` event: kill it there, and go
    // on only once its exit was handled, which is the order a death between turns can take for real.
    const pool = rt.pool!;
    const turn = pool.turn.bind(pool);
    pool.turn = async function* (req, signal): AsyncGenerator<WarmTurnEvent> {
      for await (const ev of turn(req, signal)) {
        if (ev.type === 'agent' && ev.reused) {
          process.kill(-ev.pid, 'SIGKILL');
          await until(async () => !alive(ev.pid) && (await rt.warm!()).evictions.died === 1);
        }
        yield ev;
      }
    };

    const b = await runAll(rt, { backend: 'claude', prompt: 'two', sessionId: a.result.sessionId! });
    expect(b.result.error).toBeUndefined();
    expect(b.result.output).toBe('Hello from fake claude (turn 2): two');
    const warnings = b.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    expect(warnings).toEqual(['the live claude process failed (it died between turns, killed by SIGKILL); ran the turn cold instead, resuming the session']);
    // The cold run resumed the session natively (a one-shot process, not a new live one).
    const cold = fakeLog(w).filter((l) => l.phase === 'start' && l.pid !== first);
    expect(cold).toHaveLength(1);
    expect(cold[0]!.argv).toContain('--resume');
    expect(cold[0]!.argv).not.toContain('--input-format');
  });
});
