// codex app-server takes the cwd in thread/start (and thread/resume), not at spawn: a codex spare,
// started in the server's workdir, serves a new session's first turn in any workdir, and the thread runs
// there (checked on the real codex 0.171.0 too: test/real/codex-app-server.test.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import { fakeLog, runAll, turnPids, until, warmEnv, warmRuntime } from './warm-helpers.ts';

const runtimes: NodeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

describe('codex spares and workdirs', () => {
  it('a spare started in the server workdir serves a first turn in another workdir; the thread and its later turns stay there', async () => {
    const w = warmEnv();
    const rt = await warmRuntime(w, { warm: { spares: { codex: 1 } } });
    runtimes.push(rt);
    const starts = () => fakeLog(w).filter((l) => l.phase === 'start');
    await until(() => starts().length === 1);
    const spare = starts()[0]!;
    expect(spare.argv).toContain('app-server');
    expect((spare as unknown as { cwd: string }).cwd).toBe(w.home); // the server's workdir

    const other = join(w.home, 'project');
    mkdirSync(other);
    const a = await runAll(rt, { backend: 'codex', prompt: 'one', workdir: other });
    expect(a.result.error).toBeUndefined();
    expect(turnPids(w)).toEqual([spare.pid]);
    const b = await runAll(rt, { backend: 'codex', prompt: 'two', sessionId: a.result.sessionId! });
    expect(b.result.error).toBeUndefined();
    expect(b.result.output).toBe('Hello from fake codex (turn 2): two');
    expect(turnPids(w)).toEqual([spare.pid, spare.pid]);
    // thread/start carried the turn's workdir, not the spare's.
    const turns = fakeLog(w).filter((l) => l.phase === 'turn') as unknown as { threadCwd: string }[];
    expect(turns.map((t) => t.threadCwd)).toEqual([other, other]);
    // Its replacement spare is started in the server's workdir again, and the session keeps its agent.
    await until(() => starts().length === 2);
    const status = await rt.warm!();
    expect(status.agents.map((x) => [x.pid, x.spare]).sort()).toEqual([[spare.pid, false], [starts()[1]!.pid, true]].sort());
  });

  it("a session's live agent does not serve a turn in another workdir: a new one resumes the thread there", async () => {
    const w = warmEnv();
    const rt = await warmRuntime(w);
    runtimes.push(rt);
    const a = await runAll(rt, { backend: 'codex', prompt: 'one' });
    const other = join(w.home, 'elsewhere');
    mkdirSync(other);
    const b = await runAll(rt, { backend: 'codex', prompt: 'two', sessionId: a.result.sessionId!, workdir: other });
    expect(b.result.error).toBeUndefined();
    const [p1, p2] = turnPids(w);
    expect(p2).not.toBe(p1);
    const turns = fakeLog(w).filter((l) => l.phase === 'turn') as unknown as { threadCwd: string }[];
    expect(turns.map((t) => t.threadCwd)).toEqual([w.home, other]);
    expect((await rt.warm!()).evictions.mismatch).toBe(1);
  });
});
