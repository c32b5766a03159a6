// The only place that starts agent processes (ARCHITECTURE rule 4). node:child_process, not tinyexec:
// the child gets its own process group so a timeout, an abort or the end of the run kills the whole tree,
// and the run ends on the child's 'exit', never on pipes a grandchild may still hold (STACK §6).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger, SpawnEvent, SpawnSpec, Spawner } from '../contract.ts';

export interface SpawnerOptions {
  /** Time between SIGTERM and SIGKILL to the process group. */
  killGraceMs?: number;
  /** After 'exit', how long to wait for stdout already in the pipe before giving up on it. */
  drainMs?: number;
  log?: Logger;
}

type ExitEvent = Extract<SpawnEvent, { type: 'exit' }>;
type StopReason = NonNullable<ExitEvent['reason']>;

/** Process groups still running, killed when this process exits (Ctrl-C on the CLI leaves nothing behind). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
export function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const g of liveGroups) killGroup(g, 'SIGKILL');
  });
}

/** Kills every process group this process started and that still runs (for a CLI's own SIGINT handler). */
export function killAllGroups(sig: NodeJS.Signals = 'SIGKILL'): void {
  for (const g of liveGroups) killGroup(g, sig);
}

export function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}

export function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    /* ESRCH: the group is already gone */
  }
}

const cleanEnv = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));

/** Splits a text stream into lines as data arrives; `flush` returns a final unterminated line. */
export function lineSplitter(onLine: (line: string) => void) {
  let rest = '';
  return {
    push(chunk: string) {
      rest += chunk;
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, i);
        rest = rest.slice(i + 1);
        onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      }
    },
    flush() {
      if (rest.length > 0) onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
      rest = '';
    },
  };
}

/** A single-consumer async queue: the child's callbacks push, the generator pulls. */
export function eventQueue<T>() {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  return {
    push(item: T) {
      items.push(item);
      wake?.();
      wake = undefined;
    },
    size: () => items.length,
    async next(): Promise<T> {
      while (items.length === 0) await new Promise<void>((r) => (wake = r));
      return items.shift() as T;
    },
  };
}

export function createSpawner(opts: SpawnerOptions = {}): Spawner {
  const grace = opts.killGraceMs ?? 2000;
  const drainMs = opts.drainMs ?? 100;
  return { spawn: (spec, signal) => run(spec, signal) };

  async function* run(spec: SpawnSpec, signal?: AbortSignal): AsyncGenerator<SpawnEvent> {
    const q = eventQueue<SpawnEvent>();
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: cleanEnv(spec.env),
        stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: true,
        shell: false,
        windowsHide: true,
      });
    } catch (err) {
      yield { type: 'exit', code: null, signal: null, spawnError: (err as Error).message };
      return;
    }

    let reason: StopReason | undefined;
    let exited = false;
    let timer: NodeJS.Timeout | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    let hardTimer: NodeJS.Timeout | undefined;
    const pid = child.pid;

    const clearTimers = () => {
      clearTimeout(timer);
      clearTimeout(idleTimer);
    };
    const stop = (why: StopReason) => {
      if (reason || exited || pid === undefined) return;
      reason = why;
      opts.log?.debug({ pid, reason: why }, 'stopping process group');
      clearTimers();
      killGroup(pid, 'SIGTERM');
      hardTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
    };
    const armIdle = () => {
      if (!spec.idleTimeoutMs || reason) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => stop('idle'), spec.idleTimeoutMs);
    };
    const onAbort = () => stop('aborted');

    const out = lineSplitter((line) => q.push({ type: 'stdout', line }));
    // After 'exit' the run ends once both pipes are drained: stderr carries the backend's error message.
    let stdoutEnded = false;
    let stderrEnded = false;
    let onPipeEnd: (() => void) | undefined;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      armIdle();
      out.push(d);
      // Backpressure: a slow consumer pauses the child's stdout instead of growing the queue forever.
      if (q.size() > 1000) child.stdout!.pause();
    });
    child.stdout!.on('end', () => {
      stdoutEnded = true;
      onPipeEnd?.();
    });
    child.stdout!.on('error', () => {});
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      armIdle();
      q.push({ type: 'stderr', chunk: d });
    });
    child.stderr!.on('end', () => {
      stderrEnded = true;
      onPipeEnd?.();
    });
    child.stderr!.on('error', () => {});
    if (child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when the child exits without reading
      child.stdin.end(spec.stdin);
    }

    child.once('error', (err) => {
      if (pid !== undefined || exited) return; // errors after a successful start (kill failures) don't end the run
      exited = true;
      q.push({ type: 'exit', code: null, signal: null, spawnError: err.message });
    });
    child.once('exit', (code, sig) => {
      exited = true;
      clearTimers();
      signal?.removeEventListener('abort', onAbort);
      // Grandchildren may still hold the pipes: terminate the group, drain briefly, then make sure.
      if (pid !== undefined) killGroup(pid, 'SIGTERM');
      child.stdout!.resume();
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(hardTimer);
        clearTimeout(drainTimer);
        if (pid !== undefined) {
          killGroup(pid, 'SIGKILL');
          liveGroups.delete(pid);
        }
        out.flush();
        child.stdout!.destroy();
        child.stderr!.destroy();
        const ev: ExitEvent = { type: 'exit', code, signal: sig };
        if (reason) ev.reason = reason;
        q.push(ev);
      };
      // The drain time ends with one more poll of the pipes, not at the timer: a child reaped while
      // its last output came in after the loop's previous poll (another child's SIGCHLD reaps every
      // exited child) has that output in the pipe, but a loop stalled past drainMs (a busy machine)
      // runs the timer before the poll that reads it. setImmediate runs after that poll.
      const drainTimer = setTimeout(() => setImmediate(finish), drainMs);
      onPipeEnd = () => {
        if (stdoutEnded && stderrEnded) finish();
      };
      onPipeEnd();
    });

    if (pid !== undefined) {
      trackGroup(pid);
      q.push({ type: 'start', pid });
      if (spec.timeoutMs) timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
      armIdle();
      if (signal?.aborted) stop('aborted');
      else signal?.addEventListener('abort', onAbort, { once: true });
    }

    let done = false;
    try {
      while (true) {
        const ev = await q.next();
        if (child.stdout!.isPaused() && q.size() < 100 && !exited) child.stdout!.resume();
        if (ev.type === 'exit') {
          done = true;
          yield ev;
          return;
        }
        yield ev;
      }
    } finally {
      // The consumer stopped early (return()/throw): never leave the process running.
      if (!done) {
        signal?.removeEventListener('abort', onAbort);
        stop('aborted');
      }
    }
  }
}
