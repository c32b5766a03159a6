// parallel / compare / chain through the built CLI and the fake backends.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alive, clinvk, ensureBuilt, fakeLog, sandbox } from './cli-helpers.ts';

beforeAll(() => ensureBuilt());

/** The most runs that overlapped in time, from the fakes' start/end log lines. */
function peakConcurrency(log: ReturnType<typeof fakeLog>): number {
  const edges = log.map((e) => ({ at: e.at, d: e.phase === 'start' ? 1 : -1 })).sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (now += e.d));
  return peak;
}

describe('clinvk parallel', () => {
  it('runs 10 tasks never more than 3 at once, results in order, output_dir written', async () => {
    const { env, home } = sandbox({ FAKE_CHUNK_DELAY_MS: '100' });
    env.FAKE_LOG = join(home, 'log');
    const tasks = Array.from({ length: 10 }, (_, i) => ({ backend: ['claude', 'codex', 'gemini'][i % 3], prompt: `task ${i}`, name: `t${i}` }));
    const out = join(home, 'out');
    const r = await clinvk(['parallel', '--max-parallel', '3', '--json', '--output-dir', out], { env, input: JSON.stringify({ tasks }) });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { total_tasks: number; completed: number; results: { output: string }[] };
    expect(summary).toMatchObject({ total_tasks: 10, completed: 10 });
    summary.results.forEach((res, i) => expect(res.output).toContain(`task ${i}`));
    const log = fakeLog(env.FAKE_LOG);
    expect(log.filter((e) => e.phase === 'start')).toHaveLength(10);
    expect(peakConcurrency(log)).toBeLessThanOrEqual(3);
    expect(peakConcurrency(log)).toBeGreaterThan(1);
    expect(readdirSync(out).sort()).toContain('summary.json');
    expect(readdirSync(out).filter((f) => f.startsWith('task-'))).toHaveLength(10);
  });

  it('reads YAML, prints progress lines when stderr is not a terminal', async () => {
    const { env, home } = sandbox();
    writeFileSync(join(home, 'tasks.yaml'), 'tasks:\n  - backend: codex\n    prompt: one\n  - prompt: two\n    backend: gemini\n');
    const r = await clinvk(['parallel', '-f', join(home, 'tasks.yaml')], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[1\/2\] start/);
    expect(r.stdout).toMatch(/2\/2 succeeded/);
  });

  it('rejects a bad task file up front with file, task and problem (exit 2, nothing started)', async () => {
    const { env, home } = sandbox();
    env.FAKE_LOG = join(home, 'log');
    const file = join(home, 'bad.json');
    writeFileSync(file, JSON.stringify({ tasks: [{ backend: 'claude', prompt: 'ok' }, { backend: 'claude' }] }));
    const missing = await clinvk(['parallel', '-f', file], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/bad\.json: task 2: prompt/);
    writeFileSync(file, JSON.stringify({ tasks: [{ backend: 'nope', prompt: 'x' }] }));
    expect((await clinvk(['parallel', '-f', file], { env })).stderr).toMatch(/task 1: unknown backend "nope"/);
    writeFileSync(file, JSON.stringify({ tasks: [{ prompt: 'x' }], max_parallel: 0 }));
    expect((await clinvk(['parallel', '-f', file], { env })).stderr).toMatch(/max_parallel/);
    writeFileSync(file, '{{{ not: [json');
    expect((await clinvk(['parallel', '-f', file], { env })).stderr).toMatch(/neither JSON nor YAML/);
    expect(fakeLog(env.FAKE_LOG)).toEqual([]);
  });

  it('fail-fast stops the running tasks and leaves no process', async () => {
    const { env, home } = sandbox({ FAKE_HANG: '1' });
    env.FAKE_LOG = join(home, 'log');
    const tasks = [{ backend: 'claude', prompt: 'hangs' }, { backend: 'claude', prompt: 'hangs too' }];
    // The third task times out quickly while the other two hang: fail-fast must stop them.
    const r = await clinvk(['parallel', '--fail-fast', '--json', '--max-parallel', '3'], {
      env,
      input: JSON.stringify({ tasks: [...tasks, { backend: 'gemini', prompt: 'fails', timeout_secs: 0.5 }] }),
    });
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { failed: number };
    expect(summary.failed).toBe(3);
    await new Promise((res) => setTimeout(res, 300));
    for (const e of fakeLog(env.FAKE_LOG).filter((x) => x.phase === 'start')) expect(alive(e.pid)).toBe(false);
  });
});

describe('clinvk compare and chain', () => {
  it('compare --all-backends skips one missing from PATH with a warning', async () => {
    const { env, home } = sandbox();
    // A PATH with only claude and codex.
    const bin = join(home, 'bin');
    mkdirSync(bin);
    for (const c of ['claude', 'codex']) symlinkSync(join(process.cwd(), 'test/fixtures/fake-clis', c), join(bin, c));
    const r = await clinvk(['compare', '--all-backends', '--json', 'same question'], { env: { ...env, PATH: `${bin}:/usr/bin:/bin:${process.execPath.replace(/\/node$/, '')}` } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipping gemini/);
    const j = JSON.parse(r.stdout) as { backends: string[]; results: { backend: string; output: string }[] };
    expect(j.backends).toEqual(['claude', 'codex']);
    expect(j.results.map((x) => x.output)).toEqual(['Hello from fake claude (turn 1): same question', 'Hello from fake codex (turn 1): same question']);
  });

  it('a 3-step chain passes outputs along', async () => {
    const { env } = sandbox();
    const steps = [
      { name: 'draft', backend: 'claude', prompt: 'draft' },
      { backend: 'codex', prompt: 'review: {{previous}}' },
      { backend: 'gemini', prompt: 'final: {{step.draft}}' },
    ];
    const r = await clinvk(['chain', '--json'], { env, input: JSON.stringify({ steps }) });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { completed_steps: number; results: { output: string }[] };
    expect(j.completed_steps).toBe(3);
    expect(j.results[1]!.output).toBe('Hello from fake codex (turn 1): review: Hello from fake claude (turn 1): draft');
    expect(j.results[2]!.output).toBe('Hello from fake gemini (turn 1): final: Hello from fake claude (turn 1): draft');
  });

  it('a failing step stops the chain with exit 1', async () => {
    const { env, home } = sandbox();
    env.FAKE_LOG = join(home, 'log');
    const steps = [{ backend: 'claude', prompt: 'a' }, { backend: 'gemini', prompt: 'b', extra: ['--debug'] }, { backend: 'codex', prompt: 'c' }];
    const r = await clinvk(['chain'], { env, input: JSON.stringify({ steps }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/step 2 .*FAILED/);
    expect(r.stdout).toMatch(/step 3 .*skipped/);
    expect(fakeLog(env.FAKE_LOG).filter((e) => e.phase === 'start').map((e) => e.cli)).toEqual(['claude']);
  });
});
