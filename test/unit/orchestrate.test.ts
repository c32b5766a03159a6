// parallel / compare / chain over a scripted runtime.
import { describe, expect, it } from 'vitest';
import { ClinvkError, emptyUsage, type BackendInfo, type Invocation, type RunEvent } from '../../runtime/contract.ts';
import { chain, chainToJson, compare, parallel } from '../../runtime/orchestrate.ts';

function scripted(opts: { delayMs?: number; fail?: (inv: Invocation) => boolean; available?: string[] } = {}) {
  let running = 0;
  let peak = 0;
  const aborted: string[] = [];
  const seen: Invocation[] = [];
  async function* run(inv: Invocation, signal?: AbortSignal): AsyncIterable<RunEvent> {
    if (inv.backend === 'nope') throw new ClinvkError('UNKNOWN_BACKEND', 'unknown backend "nope"');
    seen.push(inv);
    running++;
    peak = Math.max(peak, running);
    try {
      yield { type: 'init', backend: inv.backend };
      const cancelled = await new Promise<boolean>((res) => {
        const t = setTimeout(() => res(false), opts.delayMs ?? 20);
        signal?.addEventListener('abort', () => (clearTimeout(t), res(true)), { once: true });
      });
      if (cancelled) aborted.push(inv.prompt);
      const failed = cancelled || opts.fail?.(inv);
      const output = `out:${inv.prompt}`;
      if (!failed) yield { type: 'text', text: output };
      yield { type: 'done', result: { backend: inv.backend, output: failed ? '' : output, exitCode: failed ? 1 : 0, durationMs: 1, usage: emptyUsage(), warnings: [], ...(failed ? { error: { code: cancelled ? 'CANCELLED' : 'BACKEND_FAILED', message: 'failed' } } : {}) } };
    } finally {
      running--;
    }
  }
  const backends = async (): Promise<BackendInfo[]> =>
    ['claude', 'codex', 'gemini'].map((name) => ({ name, enabled: true, command: name, available: (opts.available ?? ['claude', 'codex', 'gemini']).includes(name) }));
  return { rt: { run, backends }, peak: () => peak, aborted, seen };
}

const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ backend: 'claude', prompt: `t${i}`, name: `task-${i}` }));

describe('orchestrator', () => {
  it('parallel keeps to the limit and returns results in task order', async () => {
    const s = scripted({ delayMs: 15 });
    const progress: string[] = [];
    const sum = await parallel(s.rt, tasks(10), { maxParallel: 3, onProgress: (e) => e.type === 'task_done' && progress.push(e.outcome.name!) });
    expect(s.peak()).toBe(3);
    expect(sum.results.map((r) => r.result.output)).toEqual(tasks(10).map((t) => `out:${t.prompt}`));
    expect(sum).toMatchObject({ totalTasks: 10, completed: 10, failed: 0 });
    expect(progress).toHaveLength(10);
  });

  it('fail-fast aborts the running tasks and skips the rest', async () => {
    const s = scripted({ delayMs: 40, fail: (inv) => inv.prompt === 't0' });
    const quick = scripted({ delayMs: 5, fail: (inv) => inv.prompt === 't0' });
    const sum = await parallel({ ...s.rt, run: (inv, sig) => (inv.prompt === 't0' ? quick.rt.run(inv, sig) : s.rt.run(inv, sig)) }, tasks(6), { maxParallel: 3, failFast: true });
    expect(s.aborted.sort()).toEqual(['t1', 't2']);
    expect(sum.results.slice(3).every((r) => r.skipped)).toBe(true);
    expect(sum.failed).toBe(6);
  });

  it('a task with invalid input is a failed outcome, not a crash', async () => {
    const s = scripted();
    const sum = await parallel(s.rt, [{ backend: 'nope', prompt: 'x' }, { backend: 'codex', prompt: 'y' }]);
    expect(sum.results[0]!.result.error).toMatchObject({ code: 'UNKNOWN_BACKEND' });
    expect(sum.completed).toBe(1);
  });

  it('compare skips an unavailable backend with a warning, and fails when none is available', async () => {
    const s = scripted({ available: ['claude', 'gemini'] });
    const warnings: string[] = [];
    const sum = await compare(s.rt, { prompt: 'same' }, 'all', { onProgress: (e) => e.type === 'warning' && warnings.push(e.message) });
    expect(sum.backends).toEqual(['claude', 'gemini']);
    expect(sum.skipped.map((x) => x.backend)).toEqual(['codex']);
    expect(warnings[0]).toMatch(/skipping codex/);
    await expect(compare(scripted({ available: [] }).rt, { prompt: 'x' }, ['codex'])).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });

  it('chain passes {{previous}} and {{step.NAME}}, and stops on failure', async () => {
    const s = scripted();
    const sum = await chain(s.rt, [
      { backend: 'claude', prompt: 'a', name: 'first' },
      { backend: 'codex', prompt: 'b {{previous}}' },
      { backend: 'gemini', prompt: 'c {{ step.first }} / {{previous}}' },
    ]);
    expect(s.seen.map((i) => i.prompt)).toEqual(['a', 'b out:a', 'c out:a / out:b out:a']);
    expect(chainToJson(sum)).toMatchObject({ total_steps: 3, completed_steps: 3 });
    const f = scripted({ fail: (inv) => inv.prompt === 'b' });
    const stopped = await chain(f.rt, [{ backend: 'claude', prompt: 'a' }, { backend: 'claude', prompt: 'b' }, { backend: 'claude', prompt: 'c' }]);
    expect(stopped.failedStep).toBe(1);
    expect(stopped.results[2]!.skipped).toMatch(/step 2 failed/);
    const goOn = await chain(f.rt, [{ backend: 'claude', prompt: 'b' }, { backend: 'claude', prompt: 'c {{previous}}' }], { stopOnFailure: false });
    expect(goOn.results[1]!.result.output).toBe('out:c ');
  });

  it('an unknown {{step.NAME}} fails that step with a clear error', async () => {
    const sum = await chain(scripted().rt, [{ backend: 'claude', prompt: '{{step.ghost}}' }]);
    expect(sum.results[0]!.result.error?.message).toMatch(/no earlier step named "ghost"/);
  });
});
