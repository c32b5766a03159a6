// One live backend process (a "warm agent"): spawned in its own process group with stdin left open,
// fed to its protocol codec one stdout line at a time, stderr drained as it comes (a full pipe would
// block the child). Runs one turn at a time; the pool (warm-pool.ts) decides which agent serves which turn.
import { spawn, type ChildProcess } from 'node:child_process';
import type { BackendEvent, StagedAttachment } from '../backends/types.ts';
import type { WarmCodec, WarmOutput, WarmProtocol, WarmStart } from '../backends/warm.ts';
import type { Logger } from '../contract.ts';
import type { WarmTurnEnd, WarmTurnEvent } from '../warm-port.ts';
import { eventQueue, killGroup, lineSplitter, trackGroup, untrackGroup } from './spawner.ts';

/** stderr kept per turn (the end of it names the failure) and per agent. */
const STDERR_KEEP = 64 * 1024;
/** After an interrupt, how long a turn may take to end before the process group is killed. */
const INTERRUPT_GRACE_MS = 3000;
/** After SIGTERM, how long before SIGKILL. */
const KILL_GRACE_MS = 2000;

const tail = (s: string) => (s.length > STDERR_KEEP ? s.slice(-STDERR_KEEP) : s);

export interface AgentSpec {
  backend: string;
  protocol: WarmProtocol;
  binary: string;
  start: WarmStart;
  env: Record<string, string | undefined>;
  key: string;
  log?: Logger;
  now(): number;
}

export interface TurnOptions {
  prompt: string;
  attachments?: StagedAttachment[];
  resumeId?: string;
  /** The session's workdir, for protocols that choose it per session (`workdirAtSpawn: false`). */
  workdir?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

export type AgentState = 'starting' | 'idle' | 'busy' | 'dead';

export interface WarmAgent {
  readonly pid: number | undefined;
  readonly backend: string;
  /** What was fixed at its start; a spare of a `workdirAtSpawn: false` protocol takes its first turn's workdir. */
  key: string;
  /** What it was started with. */
  readonly start: WarmStart;
  readonly startedAt: number;
  state: AgentState;
  lastUsed: number;
  turns: number;
  /** The clinvk session it belongs to (none yet for a spare or a first turn). */
  owner?: string;
  /** The backend's native session it holds, once a turn reported one. */
  nativeId?: string;
  /** Turns of `owner` recorded when this agent last served it. */
  sessionTurns?: number;
  /** Resolves true once the handshake is done, false if the process died or broke first. */
  ready: Promise<boolean>;
  /** One turn: yields `events`, always ends with one `end`. */
  turn(opts: TurnOptions, signal: AbortSignal): AsyncGenerator<WarmTurnEvent>;
  /** Clean shutdown: the protocol's goodbye, stdin closed, grace, SIGTERM, SIGKILL. Resolves when it exited. */
  stop(): Promise<void>;
  onExit(cb: () => void): void;
}

type TurnListener = { events(e: BackendEvent[]): void; signal(s: Exclude<WarmOutput, BackendEvent>): void; exit(end: WarmTurnEnd): void };

export function startAgent(spec: AgentSpec): WarmAgent {
  const built = spec.protocol.spawn(spec.start);
  const codec: WarmCodec = spec.protocol.createCodec(spec.start);
  const log = spec.log?.child({ backend: spec.backend, warm: true });
  let child: ChildProcess | undefined;
  let spawnError: string | undefined;
  try {
    child = spawn(spec.binary, built.args, {
      cwd: spec.start.workdir,
      env: Object.fromEntries(Object.entries({ ...spec.env, ...built.env }).filter((e): e is [string, string] => e[1] !== undefined)),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
  } catch (err) {
    spawnError = (err as Error).message;
  }
  const pid = child?.pid;
  const exitCallbacks: (() => void)[] = [];
  let listener: TurnListener | undefined;
  /** Re-arms the running turn's idle timer; set only while a turn with an idle timeout runs. */
  let idleKick: (() => void) | undefined;
  let turnStderr = '';
  let exited = false;
  /** How it exited, for the warning of a turn that reaches it dead. */
  let exitedHow = '';
  /** The handshake was done: from then on it was a working agent, so an exit is a death, not a failed start. */
  let wasReady = false;
  let resolveReady!: (ok: boolean) => void;
  const ready = new Promise<boolean>((r) => (resolveReady = r));

  const agent: WarmAgent = {
    pid,
    backend: spec.backend,
    key: spec.key,
    start: spec.start,
    startedAt: spec.now(),
    state: 'starting',
    lastUsed: spec.now(),
    turns: 0,
    ready,
    turn,
    stop,
    onExit: (cb) => (exited ? cb() : exitCallbacks.push(cb)),
  };

  const write = (line: string) => {
    if (!exited && child?.stdin?.writable) child.stdin.write(`${line}\n`);
  };
  const die = (why: string) => {
    if (exited || pid === undefined) return;
    log?.debug({ pid, why }, 'killing warm agent');
    killGroup(pid, 'SIGTERM');
    setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  const handle = (outputs: WarmOutput[]) => {
    const events: BackendEvent[] = [];
    for (const o of outputs) {
      if (o.kind === 'write') write(o.line);
      else if (o.kind === 'ready') {
        if (agent.state === 'starting') agent.state = 'idle';
        wasReady = true;
        resolveReady(true);
      } else if (o.kind === 'turn_end' || o.kind === 'fatal') {
        if (events.length > 0) listener?.events(events.splice(0));
        if (o.kind === 'fatal') {
          log?.warn({ pid, message: o.message }, 'warm agent protocol failure');
          resolveReady(false);
          agent.state = 'dead';
          die('protocol failure');
        }
        listener?.signal(o);
      } else {
        if (o.kind === 'session') agent.nativeId = o.id;
        events.push(o);
      }
    }
    if (events.length > 0) listener?.events(events);
  };

  if (child && pid !== undefined) {
    trackGroup(pid);
    const out = lineSplitter((line) => handle(codec.line(line)));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      idleKick?.();
      out.push(d);
    });
    child.stdout!.on('error', () => {});
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      idleKick?.();
      turnStderr = tail(turnStderr + d);
    });
    child.stderr!.on('error', () => {});
    child.stdin!.on('error', () => {}); // EPIPE once the child is gone
    child.once('exit', (code, sig) => {
      exited = true;
      exitedHow = sig ? `killed by ${sig}` : `exit code ${code}`;
      agent.state = 'dead';
      out.flush();
      resolveReady(false);
      killGroup(pid, 'SIGKILL'); // grandchildren (tool runs, re-launched node) go with it
      untrackGroup(pid);
      child!.stdout!.destroy();
      child!.stderr!.destroy();
      log?.debug({ pid, code, signal: sig }, 'warm agent exited');
      const l = listener;
      if (l) {
        const events = codec.exited({ code, stderr: turnStderr });
        if (events.length > 0) l.events(events);
        l.exit({ type: 'end', code, signal: sig, stderr: turnStderr });
      }
      for (const cb of exitCallbacks.splice(0)) cb();
    });
    handle(codec.open());
  } else {
    // ENOENT and friends: node reports them as an 'error' event, with no pid.
    child?.once('error', (err) => (spawnError = err.message));
    exited = true;
    agent.state = 'dead';
    resolveReady(false);
  }

  async function* turn(opts: TurnOptions, signal: AbortSignal): AsyncGenerator<WarmTurnEvent> {
    if (!(await agent.ready) || exited) {
      // It can die between the pool's pick and here (the pool saw it idle; its exit came while the turn
      // was being set up): that is a death between turns, not a failed start.
      const why = !wasReady
        ? `it did not start${spawnError ? `: ${spawnError}` : ''}`
        : agent.turns > 0
          ? `it died between turns, ${exitedHow}`
          : `it died before its first turn, ${exitedHow}`;
      yield { type: 'end', code: null, signal: null, stderr: turnStderr, fallback: why };
      return;
    }
    agent.state = 'busy';
    agent.turns += 1;
    turnStderr = '';
    const q = eventQueue<WarmTurnEvent>();
    let reason: WarmTurnEnd['reason'];
    let ended = false;
    let killTimer: NodeJS.Timeout | undefined;
    let totalTimer: NodeJS.Timeout | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    const finish = (end: WarmTurnEnd) => {
      if (ended) return;
      ended = true;
      listener = undefined;
      idleKick = undefined;
      clearTimeout(killTimer);
      clearTimeout(totalTimer);
      clearTimeout(idleTimer);
      signal.removeEventListener('abort', onAbort);
      if (reason) end.reason = reason;
      q.push(end);
    };
    const interrupt = (why: NonNullable<WarmTurnEnd['reason']>) => {
      if (reason || ended) return;
      reason = why;
      clearTimeout(totalTimer);
      clearTimeout(idleTimer);
      const lines = codec.interrupt();
      log?.debug({ pid, why, protocolInterrupt: lines.length > 0 }, 'interrupting warm turn');
      if (lines.length === 0) return die(why);
      for (const l of lines) write(l);
      // Interrupts can stay pending (codex#36926) or come too early: the group goes if the turn does not end.
      killTimer = setTimeout(() => die(`${why}: the interrupt did not end the turn`), INTERRUPT_GRACE_MS);
    };
    const onAbort = () => interrupt('aborted');
    listener = {
      events: (events) => q.push({ type: 'events', events }),
      signal: (s) => {
        if (s.kind === 'turn_end') {
          agent.state = exited ? 'dead' : 'idle';
          agent.lastUsed = spec.now();
          finish({ type: 'end', code: 0, signal: null, stderr: turnStderr });
        } else if (s.kind === 'fatal') {
          finish({ type: 'end', code: null, signal: null, stderr: turnStderr, fallback: s.message });
        }
      },
      exit: (end) => finish(end),
    };
    if (opts.timeoutMs) totalTimer = setTimeout(() => interrupt('timeout'), opts.timeoutMs);
    if (opts.idleTimeoutMs) {
      const ms = opts.idleTimeoutMs;
      idleKick = () => {
        clearTimeout(idleTimer);
        if (!reason) idleTimer = setTimeout(() => interrupt('idle'), ms);
      };
      idleKick();
    }
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });

    const input = { prompt: opts.prompt, ...(opts.attachments ? { attachments: opts.attachments } : {}), ...(opts.resumeId !== undefined ? { resumeId: opts.resumeId } : {}), ...(opts.workdir !== undefined ? { workdir: opts.workdir } : {}) };
    for (const line of codec.turn(input)) write(line);
    try {
      while (true) {
        const ev = await q.next();
        yield ev;
        if (ev.type === 'end') return;
      }
    } finally {
      // The consumer went away mid-turn: stop the turn; the agent is dropped unless it ends the turn cleanly.
      if (!ended) {
        finish({ type: 'end', code: null, signal: null, stderr: '', reason: 'aborted' });
        agent.state = 'dead';
        die('consumer left mid-turn');
      }
    }
  }

  async function stop(): Promise<void> {
    if (exited || pid === undefined) return;
    agent.state = 'dead';
    const gone = new Promise<void>((r) => agent.onExit(r));
    for (const l of codec.shutdown()) write(l);
    child?.stdin?.end();
    const term = setTimeout(() => die('shutdown grace over'), spec.protocol.shutdownGraceMs);
    await gone;
    clearTimeout(term);
  }

  return agent;
}
