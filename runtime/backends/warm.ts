// The long-lived ("warm") mode of a backend: one live process, many turns over stdio, in the
// backend's own protocol (claude stream-json input, gemini ACP, codex app-server; see
// design/warm-protocols.md). This file is the pure half: argv of the live process and a codec that
// turns our requests into stdin lines and each stdout line into the same BackendEvents the cold
// parsers yield, plus a few protocol signals. No `node:*` here; the pool in runtime/node/ owns the
// process (spawn, stdin, stderr drain, kill of the group) and feeds the codec one line at a time.
//
// A backend registers its warm mode as the optional `warm` field of its BackendAdapter
// (types.ts); a backend without it always runs cold.
//
// Life of a live process, as the pool drives it:
//   1. `spawn(start)` → argv/env; the pool starts it in `start.workdir`, stdin left OPEN.
//   2. `codec = createCodec(start)`; the pool writes every `write` of `codec.open()` and of every
//      `codec.line()` result to stdin, in order, as it gets them (handshake steps, answers to the
//      agent's own requests).
//   3. Once the codec emitted `ready`, the pool may call `codec.turn({prompt})`, write the lines it
//      returns, and pass every BackendEvent that `codec.line()` yields to the engine until the codec
//      emits `turn_end`. One turn at a time: the pool never calls `turn()` before `turn_end`.
//   4. To stop a turn: write `codec.interrupt()`; the codec still ends the turn with
//      `turn_end {cancelled: true}` (it swallows the interrupted turn's late end message itself).
//      An empty list means the protocol has no interrupt here: the pool kills the process group.
//   5. If the process exits, `codec.exited(exit)` gives the backend's own failure for a turn that
//      was running (empty when none was).
//   6. Shutdown: write `codec.shutdown()`, close stdin, wait `shutdownGraceMs`, then SIGTERM and
//      SIGKILL the process group.
import type { BackendEvent, ArgvRequest, BuiltArgv, StagedAttachment } from './types.ts';

/**
 * What is fixed when a live process starts: everything of a cold run's ArgvRequest but the prompt.
 * A live process is reused for a turn only when the turn's WarmStart matches its own (the pool
 * compares `warmKey()`), `resumeId` aside: see `resumeAtSpawn`.
 */
export type WarmStart = Omit<ArgvRequest, 'prompt' | 'attachments' | 'attachmentDir'>;

/** One turn's input. */
export interface WarmTurn {
  prompt: string;
  /**
   * The native session to continue, for protocols that choose it per process after the start
   * (gemini `session/load`, codex `thread/resume`): used by the codec on the first turn of a process
   * that has no session yet, ignored after. Claude fixes it at spawn (`start.resumeId`).
   * Never passed to a protocol whose `resumeLive` is false.
   */
  resumeId?: string;
  /**
   * The session's workdir, for protocols that choose the cwd per session after the start
   * (`workdirAtSpawn: false`, gemini `session/new`): used on the first turn of a process that has no
   * session yet, ignored after. Absent = `start.workdir`.
   */
  workdir?: string;
  /** This turn's attachments (files in the run's private folder); only what `WarmProtocol.attachments` takes. */
  attachments?: StagedAttachment[];
}

/** Protocol signals, beside the BackendEvents of the turn. Their `kind`s never clash with BackendEvent's. */
export type WarmSignal =
  /** Write this line (no trailing newline) to the process's stdin now: a handshake step or an answer to the agent. */
  | { kind: 'write'; line: string }
  /** The process is ready for a turn (handshake done). Emitted once. */
  | { kind: 'ready' }
  /**
   * The running turn is over; its `usage`/`error`/`final` events came before this. `cancelled`: it
   * ended because of `interrupt()` (an interrupted turn is a cancel, not a backend failure).
   */
  | { kind: 'turn_end'; cancelled?: boolean }
  /**
   * The protocol broke (garbled or unexpected output, a failed handshake): the process can no longer
   * be trusted and must be dropped. The engine warns with `message`, and runs the turn cold when
   * nothing was streamed yet, else fails it.
   */
  | { kind: 'fatal'; message: string };

export type WarmOutput = BackendEvent | WarmSignal;

/** One per live process; stateful, fed one stdout line at a time. Never throws: bad input → `fatal` or a warning. */
export interface WarmCodec {
  /** Lines to write right after spawn (may be none), and `ready` when no handshake is needed. */
  open(): WarmOutput[];
  /** One stdout line, without its newline. */
  line(line: string): WarmOutput[];
  /** The stdin lines that start a turn. Only called after `ready` and when no turn is running. */
  turn(input: WarmTurn): string[];
  /** The stdin lines that interrupt the running turn; [] = no protocol interrupt (the pool kills the group). */
  interrupt(): string[];
  /** The process exited: the backend's own failure for the running turn (from its stderr), if one was running. */
  exited(exit: { code: number | null; stderr: string }): BackendEvent[];
  /** Lines to write before stdin is closed for a clean shutdown (often none: EOF is the signal). */
  shutdown(): string[];
}

export interface WarmProtocol {
  /** argv (and extra env) of the live process. `stdin` of the result is unused: stdin stays open. */
  spawn(start: WarmStart): BuiltArgv;
  createCodec(start: WarmStart): WarmCodec;
  /**
   * True when the native session to resume is fixed on the command line (claude `--resume`): a live
   * process or a spare started for another session cannot take the turn. False when the first turn
   * picks it (WarmTurn.resumeId), so a spare initialized ahead can resume any session.
   */
  resumeAtSpawn: boolean;
  /**
   * False when a live process cannot take over a native session it did not start itself (gemini 0.61.0:
   * `session/load` fails and erases the saved session): a turn that must resume such a session runs
   * cold; the live process that started a session still serves its later turns. Absent = true.
   */
  resumeLive?: boolean;
  /**
   * False when the cwd is chosen per session after the start (gemini `session/new {cwd}`, see
   * WarmTurn.workdir), so a spare started in one folder can serve a turn in any workdir: the pool may
   * then ignore `workdir` when it matches a spare (not a live agent, whose session fixed it). Absent = true
   * (claude: the process's cwd is the session's).
   */
  workdirAtSpawn?: boolean;
  /** How long to wait after closing stdin before SIGTERM (claude writes its session file on EOF). */
  shutdownGraceMs: number;
  /** What one turn of a live process can take as attachments; absent = none: such a turn runs cold. */
  attachments?: { images: boolean; files: boolean };
}

/** Whether a live process of `protocol` can take these attachments in a turn (else the engine runs it cold). */
export const warmTakes = (protocol: WarmProtocol, list: StagedAttachment[]): boolean =>
  list.every((a) => (a.kind === 'image' ? protocol.attachments?.images : protocol.attachments?.files) === true);

/**
 * The identity of what a live process fixed at its start (backend aside: the pool keys by backend too).
 * `resumeId` is left out: the pool tracks which native session a live process holds.
 */
export function warmKey(start: WarmStart): string {
  const { resumeId: _r, ...fixed } = start;
  const sorted = Object.fromEntries(Object.entries(fixed).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify(sorted);
}
