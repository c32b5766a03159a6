// Live progress of parallel / compare / chain on stderr: a redrawn block on a terminal, plain
// lines otherwise (CI logs, pipes).
import type { Writable } from 'node:stream';
import type { ProgressEvent, Task } from '../../runtime/orchestrate.ts';

type State = 'waiting' | 'running' | 'done' | 'failed' | 'skipped';

export function createProgress(tasks: Pick<Task, 'backend' | 'name'>[], stderr: Writable & { isTTY?: boolean }, quiet = false) {
  const state: State[] = tasks.map(() => 'waiting');
  const started: number[] = tasks.map(() => 0);
  const took: number[] = tasks.map(() => 0);
  const label = (i: number) => `${tasks[i]!.name ?? `task-${i + 1}`} (${tasks[i]!.backend})`;
  const tty = !!stderr.isTTY;
  let drawn = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

  function draw() {
    const icon: Record<State, string> = { waiting: '·', running: '…', done: '✓', failed: '✗', skipped: '-' };
    const lines = tasks.map((_, i) => `${icon[state[i]!]} ${label(i)} ${state[i] === 'running' ? secs(Date.now() - started[i]!) : state[i] === 'waiting' ? '' : secs(took[i]!)}`);
    const done = state.filter((s) => s === 'done').length;
    const failed = state.filter((s) => s === 'failed').length;
    lines.push(`${done} done, ${failed} failed, ${state.filter((s) => s === 'running').length} running`);
    stderr.write(`${drawn ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    drawn = lines.length;
  }

  return {
    onProgress(e: ProgressEvent) {
      if (e.type === 'warning') {
        stderr.write(`warning: ${e.message}\n`);
        drawn = 0;
        return;
      }
      if (quiet) return;
      if (e.type === 'task_start') {
        state[e.index] = 'running';
        started[e.index] = Date.now();
        if (!tty) stderr.write(`[${e.index + 1}/${tasks.length}] start ${label(e.index)}\n`);
      } else if (e.type === 'task_done') {
        const o = e.outcome;
        state[e.index] = o.skipped ? 'skipped' : o.result.error ? 'failed' : 'done';
        took[e.index] = o.result.durationMs;
        if (!tty) stderr.write(`[${e.index + 1}/${tasks.length}] ${state[e.index]} ${label(e.index)} (${secs(o.result.durationMs)})${o.result.error && !o.skipped ? `: ${o.result.error.message}` : ''}\n`);
      } else return;
      if (tty) {
        draw();
        timer ??= setInterval(draw, 250);
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      if (tty && !quiet) draw();
    },
  };
}
