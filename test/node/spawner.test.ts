import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnEvent } from '../../runtime/contract.ts';
import { createSpawner } from '../../runtime/node/spawner.ts';
import { stretched } from '../reliability/work-bound.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clinvk-spawner-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spawner = createSpawner({ killGraceMs: 300, drainMs: 50 });
const env = { PATH: process.env.PATH };

async function all(it: AsyncIterable<SpawnEvent>): Promise<SpawnEvent[]> {
  const out: SpawnEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}
const sh = (script: string, extra: Partial<Parameters<typeof spawner.spawn>[0]> = {}) =>
  spawner.spawn({ command: 'sh', args: ['-c', script], cwd: dir, env, ...extra });
const lines = (evs: SpawnEvent[]) => evs.flatMap((e) => (e.type === 'stdout' ? [e.line] : []));
const stderr = (evs: SpawnEvent[]) => evs.flatMap((e) => (e.type === 'stderr' ? [e.chunk] : [])).join('');
const exitOf = (evs: SpawnEvent[]) => {
  const last = evs.at(-1);
  if (last?.type !== 'exit') throw new Error('last event is not exit');
  return last;
};

/** Gone = no /proc entry or a zombie (PID 1 here does not reap orphans). */
async function gone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await gone(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return gone(pid);
}

describe('spawner', () => {
  it('splits stdout into lines, keeps stderr apart, handles a final unterminated line and the exit code', async () => {
    const evs = await all(sh(`printf 'a\\nb'; printf 'c\\r\\nd\\n'; echo oops >&2; printf tail; exit 3`));
    expect(evs[0]?.type).toBe('start');
    expect(lines(evs)).toEqual(['a', 'bc', 'd', 'tail']);
    expect(stderr(evs)).toBe('oops\n');
    expect(exitOf(evs)).toMatchObject({ code: 3, signal: null });
    expect(exitOf(evs).reason).toBeUndefined();
    expect(evs.filter((e) => e.type === 'exit')).toHaveLength(1);
  });

  it('yields a line as soon as it is printed, before the process exits', async () => {
    const marker = join(dir, 'marker');
    const it = sh(`echo first; while [ ! -f ${marker} ]; do sleep 0.02; done; echo second`);
    const seen: string[] = [];
    for await (const e of it) {
      if (e.type === 'stdout') {
        seen.push(e.line);
        if (e.line === 'first') await writeFile(marker, ''); // the child only continues once we saw line 1
      }
    }
    expect(seen).toEqual(['first', 'second']);
  });

  it('closes stdin by default and feeds spec.stdin when given', async () => {
    expect(lines(await all(sh('cat; echo end')))).toEqual(['end']);
    expect(lines(await all(sh('cat', { stdin: 'hello\nworld' })))).toEqual(['hello', 'world']);
  });

  it('passes argv without a shell and uses cwd and env', async () => {
    const evs = await all(
      spawner.spawn({ command: 'sh', args: ['-c', 'echo "$1|$PWD|$FOO"', 'x', '$(id); `x` *'], cwd: dir, env: { ...env, FOO: 'bar', NOPE: undefined } }),
    );
    expect(lines(evs)).toEqual([`$(id); \`x\` *|${dir}|bar`]);
  });

  it('reports ENOENT as an exit with spawnError', async () => {
    const evs = await all(spawner.spawn({ command: 'definitely-not-a-binary-xyz', args: [], cwd: dir, env }));
    expect(evs).toHaveLength(1);
    expect(exitOf(evs).spawnError).toMatch(/ENOENT/);
  });

  it('kills the whole group on timeout, grandchildren included', async () => {
    const evs = await all(sh('sleep 30 & echo $!; sleep 30', { timeoutMs: 200 }));
    const grandchild = Number(lines(evs)[0]);
    const start = evs[0];
    expect(exitOf(evs)).toMatchObject({ reason: 'timeout', signal: 'SIGTERM' });
    expect(await waitGone(grandchild)).toBe(true);
    if (start?.type === 'start') expect(await waitGone(start.pid)).toBe(true);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    // The timeout has to come after sh has set its trap (150 ms was not always enough on a loaded machine).
    const evs = await all(sh(`trap '' TERM; echo ready; sleep 30 & wait; sleep 30`, { timeoutMs: stretched(1000) }));
    expect(exitOf(evs)).toMatchObject({ reason: 'timeout', signal: 'SIGKILL' });
  });

  it('idle timeout fires when nothing is printed, and output resets it', async () => {
    const idle = await all(sh('echo a; sleep 0.1; echo b; sleep 0.1; echo c; sleep 30', { idleTimeoutMs: 400 }));
    expect(lines(idle)).toEqual(['a', 'b', 'c']);
    expect(exitOf(idle).reason).toBe('idle');
  });

  it('abort while running: exit reason aborted, grandchild gone', async () => {
    const ac = new AbortController();
    const evs: SpawnEvent[] = [];
    for await (const e of spawner.spawn({ command: 'sh', args: ['-c', 'sleep 30 & echo $!; sleep 30'], cwd: dir, env }, ac.signal)) {
      evs.push(e);
      if (e.type === 'stdout') ac.abort();
    }
    expect(exitOf(evs).reason).toBe('aborted');
    expect(await waitGone(Number(lines(evs)[0]))).toBe(true);
  });

  it('finishes at exit even when a grandchild holds the pipes, and kills it', async () => {
    const evs = await all(sh('sleep 30 & echo $!; echo done'));
    expect(exitOf(evs)).toMatchObject({ code: 0 });
    expect(lines(evs)).toEqual([expect.stringMatching(/^\d+$/), 'done']);
    expect(await waitGone(Number(lines(evs)[0]))).toBe(true);
  });

  it('stopping iteration early (return()) kills the process', async () => {
    let pid = 0;
    for await (const e of sh('echo hi; sleep 30')) {
      if (e.type === 'start') pid = e.pid;
      if (e.type === 'stdout') break;
    }
    expect(pid).toBeGreaterThan(0);
    expect(await waitGone(pid)).toBe(true);
  });
});
