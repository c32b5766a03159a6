// The engine's view of the pool of live agents (runtime/node/warm-pool.ts implements it). Pure types:
// the engine asks for one turn on a live agent and reads the same BackendEvents a cold parser yields.
import type { BackendEvent, StagedAttachment } from './backends/types.ts';
import type { WarmProtocol, WarmStart } from './backends/warm.ts';

export interface WarmTurnRequest {
  backend: string;
  protocol: WarmProtocol;
  /** Resolved executable. */
  binary: string;
  start: WarmStart;
  /** Full environment of the live process. */
  env: Record<string, string | undefined>;
  prompt: string;
  /** The turn's attachments (files in the run's private folder, removed by the engine after the turn). */
  attachments?: StagedAttachment[];
  /** Our session this turn continues; absent for a new session. */
  sessionId?: string;
  /** Turns the session had before this one: a live agent that served fewer is stale (a cold turn ran meanwhile). */
  sessionTurns?: number;
  /** The backend's native session id to continue (claude session_id…). */
  resumeId?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /**
   * Called when the turn ended well: the clinvk session the agent now belongs to (the engine records a
   * new session while the turn starts). undefined = nobody can continue it: the agent is stopped.
   */
  owner(): string | undefined;
}

/** What a spare is started with: the start a default request of that backend would make. */
export type SpareSpec = Pick<WarmTurnRequest, 'backend' | 'protocol' | 'binary' | 'start' | 'env'>;

/** How a warm turn ended, shaped like a process exit so the engine maps it to the same error codes. */
export interface WarmTurnEnd {
  type: 'end';
  /** 0 when the turn ended normally (even if the backend reported a failure in it). */
  code: number | null;
  signal: string | null;
  reason?: 'timeout' | 'idle' | 'aborted';
  /** stderr of the live process since the turn started (bounded). */
  stderr: string;
  /** The protocol broke or the agent could not start: the engine may run the turn cold (nothing streamed yet). */
  fallback?: string;
  /**
   * With `fallback`: the turn was never meant for a live agent (the pool is full of busy ones, or the
   * protocol cannot take over the session it continues): cold, without a warning.
   */
  quiet?: boolean;
}

export type WarmTurnEvent =
  /** The agent that serves the turn: `reused` = it was already alive (a spare or an earlier turn's). */
  | { type: 'agent'; pid: number; reused: boolean }
  | { type: 'events'; events: BackendEvent[] }
  | WarmTurnEnd;

export interface WarmPort {
  /** Whether a turn of this backend may run warm at all (pool on, backend has a warm mode, not disabled). */
  accepts(backend: string): boolean;
  /** One turn on a live agent. Ends with exactly one `end`. Aborting `signal` interrupts the turn. */
  turn(req: WarmTurnRequest, signal: AbortSignal): AsyncIterable<WarmTurnEvent>;
}
