// Where a run's backend events come from: a cold process (spawner + the backend's parser) or a turn
// on a live agent (the warm pool + the backend's codec). Both yield the same items, so the engine
// builds RunEvents, session records and error codes the same way whichever answered.
import type { Spawner } from './contract.ts';
import type { BackendEvent } from './backends/types.ts';
import type { PlanInternal } from './engine-plan.ts';
import type { ExitEvent } from './engine-result.ts';
import type { WarmPort } from './warm-port.ts';

export type SourceItem =
  | { type: 'events'; events: BackendEvent[] }
  | { type: 'stderr'; chunk: string }
  /** The turn's stderr as a whole (a live agent's, since the turn started). */
  | { type: 'stderr_all'; text: string }
  | { type: 'exit'; exit: ExitEvent }
  /** The warm turn cannot go on: run it cold if nothing was streamed yet. `quiet`: not worth a warning. */
  | { type: 'fallback'; message: string; quiet: boolean }
  | { type: 'agent'; pid: number; reused: boolean };

const compact = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** One cold process: spawn, parse each stdout line, and the parser's last word once it exited. */
export async function* coldSource(
  plan: PlanInternal,
  spawner: Spawner,
  env: Record<string, string | undefined>,
  stderr: () => string,
  signal: AbortSignal,
): AsyncGenerator<SourceItem> {
  const parser = plan.adapter.createParser();
  const spec = compact({
    command: plan.binary,
    args: plan.args,
    cwd: plan.cwd,
    env: { ...env, ...plan.env },
    stdin: plan.stdin,
    timeoutMs: plan.timeoutMs,
    idleTimeoutMs: plan.idleTimeoutMs,
  });
  for await (const ev of spawner.spawn(spec, signal)) {
    if (ev.type === 'stdout') yield { type: 'events', events: parser.line(ev.line) };
    else if (ev.type === 'stderr') yield { type: 'stderr', chunk: ev.chunk };
    else if (ev.type === 'exit') {
      if (!ev.spawnError) yield { type: 'events', events: parser.end({ code: ev.code, stderr: stderr() }) };
      yield { type: 'exit', exit: ev };
    }
  }
}

/** One turn on a live agent of the pool. */
export async function* warmSource(
  plan: PlanInternal,
  warm: WarmPort,
  env: Record<string, string | undefined>,
  owner: () => string | undefined,
  signal: AbortSignal,
): AsyncGenerator<SourceItem> {
  const protocol = plan.adapter.warm!;
  // A live agent takes every prompt on stdin, and attachments per turn (not at its start).
  const { prompt, promptOnStdin: _s, attachments, attachmentDir: _d, ...start } = plan.argvRequest;
  const req = compact({
    backend: plan.backend,
    protocol,
    binary: plan.binary,
    start,
    env: { ...env, ...plan.env },
    prompt,
    attachments,
    sessionId: plan.session?.id,
    sessionTurns: plan.session?.turnCount,
    resumeId: plan.resume?.backendSessionId,
    timeoutMs: plan.timeoutMs,
    idleTimeoutMs: plan.idleTimeoutMs,
    owner,
  });
  for await (const ev of warm.turn(req, signal)) {
    if (ev.type === 'agent') yield ev;
    else if (ev.type === 'events') yield ev;
    else {
      yield { type: 'stderr_all', text: ev.stderr };
      if (ev.fallback !== undefined) {
        yield { type: 'fallback', message: ev.fallback, quiet: ev.quiet === true };
        return;
      }
      const exit: ExitEvent = { type: 'exit', code: ev.code, signal: ev.signal };
      if (ev.reason) exit.reason = ev.reason;
      yield { type: 'exit', exit };
    }
  }
}
