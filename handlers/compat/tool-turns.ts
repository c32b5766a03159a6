// A run that offers the caller's own tools spans several HTTP requests: the agent calls a tool, the
// response ends the way the caller's API asks for a tool call, and the run stays alive (its agent
// waiting on the MCP call) until the caller's next request brings the results. This file holds those
// waiting runs for the compatible doors (OpenAI chat and Responses, Anthropic Messages): it cuts a run's
// events into turns, parks a run on its tool calls, and resumes it when the results come. Pure.
import { ClinvkError, type ClientToolResult, type RunEvent, type Runtime } from '../../runtime/contract.ts';
import { announcesClientCall } from '../../runtime/tool-bridge.ts';

export type ToolCallEvent = Extract<RunEvent, { type: 'client_tool_call' }>;
/** What a door renders for one response: run events, ending with `done` or with the calls the agent waits on. */
export type TurnEvent = RunEvent | { type: 'tool_calls'; calls: ToolCallEvent[] };

/** Parallel calls of one step reach the bridge within moments of each other: wait this long for more. */
export const SETTLE_MS = 150;
/**
 * While the agent has announced more client calls (its own tool_use events) than have reached the bridge,
 * wait up to this long for them instead: on a busy machine the calls of one step arrive seconds apart,
 * and a response cut early hands the caller only some of them (one more round trip for the rest).
 * Never more than half the first call's own timeout (server.tool_result_timeout_secs), which runs from its
 * arrival: the caller keeps the other half to answer.
 */
export const ANNOUNCED_WAIT_MS = 5_000;
/** After its calls timed out, a parked run is read to its end (the engine stops it); give up and abort after this. */
const DRAIN_GRACE_MS = 10_000;

interface HeldRun {
  iter: AsyncIterator<RunEvent>;
  /** A read still in flight when the last response ended (the settle wait lost the race). */
  pending?: Promise<IteratorResult<RunEvent>>;
  controller: AbortController;
  calls: Set<string>;
  timer?: ReturnType<typeof setTimeout>;
  /** Client calls the agent announced, and those that reached the bridge, in the step being collected. */
  announced: number;
  received: number;
}

export interface ToolTurns {
  /** The first response of a run started with client tools (`controller` aborts the run). */
  start(events: AsyncIterable<RunEvent>, controller: AbortController, signal?: AbortSignal): AsyncIterable<TurnEvent>;
  /**
   * The caller's results for waiting calls: each reaches its agent, and the continuation is the returned
   * turn. Undefined when `results` is empty. Throws INVALID_INPUT (→ 400) for a call id no run waits on.
   */
  resume(results: { id: string; result: ClientToolResult }[], signal?: AbortSignal): AsyncIterable<TurnEvent> | undefined;
  /** How many runs wait on their caller now. */
  readonly waiting: number;
}

export function createToolTurns(runtime: Pick<Runtime, 'resolveToolCall'>, opts: { settleMs?: number; announcedWaitMs?: number } = {}): ToolTurns {
  const settleMs = opts.settleMs ?? SETTLE_MS;
  const announcedWaitMs = opts.announcedWaitMs ?? ANNOUNCED_WAIT_MS;
  const byCall = new Map<string, HeldRun>();
  const held = new Set<HeldRun>();

  const read = (run: HeldRun) => {
    const p = run.pending ?? run.iter.next();
    run.pending = undefined;
    return p;
  };
  /** The next event if it comes within `ms`; else undefined, and the read stays pending for the next turn. */
  const readWithin = async (run: HeldRun, ms: number) => {
    const p = run.pending ?? run.iter.next();
    run.pending = p;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([p, new Promise<undefined>((res) => {
      timer = setTimeout(() => res(undefined), ms);
    })]);
    clearTimeout(timer);
    if (r) run.pending = undefined;
    return r;
  };

  function release(run: HeldRun) {
    clearTimeout(run.timer);
    for (const id of run.calls) byCall.delete(id);
    run.calls.clear();
    held.delete(run);
  }

  /** Nobody answered in time: the bridge gave the agent an MCP error and the engine stops the run; read it to its end. */
  async function drain(run: HeldRun) {
    release(run);
    const hard = setTimeout(() => run.controller.abort(), DRAIN_GRACE_MS);
    try {
      for (let r = await read(run); !r.done; r = await read(run));
    } catch {
      // a run that throws while draining has ended all the same
    } finally {
      clearTimeout(hard);
    }
  }

  function park(run: HeldRun, calls: ToolCallEvent[]) {
    held.add(run);
    for (const c of calls) {
      run.calls.add(c.id);
      byCall.set(c.id, run);
    }
    clearTimeout(run.timer);
    const wait = Math.max(...calls.map((c) => c.timeoutMs));
    // The bridge answers the agent with an MCP error at the same moment; reading on lets the engine stop the run.
    run.timer = setTimeout(() => void drain(run), wait);
  }

  async function* turn(run: HeldRun, signal?: AbortSignal): AsyncGenerator<TurnEvent> {
    // While a response streams, its client going away stops the run; while parked, nothing does.
    const onAbort = () => run.controller.abort();
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    let parked = false;
    try {
      for (let r = await read(run); !r.done; r = await read(run)) {
        const ev = r.value;
        if (ev.type !== 'client_tool_call') {
          yield ev;
          continue;
        }
        const calls = [ev];
        const later: IteratorResult<RunEvent>[] = [];
        const deadline = Date.now() + Math.min(announcedWaitMs, ev.timeoutMs / 2);
        const waitMs = () => (run.announced > run.received ? Math.max(0, deadline - Date.now()) : settleMs);
        for (let more = await readWithin(run, waitMs()); more; more = await readWithin(run, waitMs())) {
          if (!more.done && more.value.type === 'client_tool_call') calls.push(more.value);
          else later.push(more); // the agent's own progress events: the next response shows them
          if (more.done) break;
        }
        // The next step counts afresh: an announced call that never came (the agent's MCP client failed)
        // must not hold up the steps after it.
        run.announced = 0;
        run.received = 0;
        if (later.length > 0) run.iter = replay(later, run.iter, run.pending);
        if (later.length > 0) run.pending = undefined;
        park(run, calls);
        parked = true;
        yield { type: 'tool_calls', calls };
        return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A consumer that stopped early (client gone mid-response) ends the run rather than leave it parked.
      if (!parked) release(run);
    }
  }

  return {
    start(events, controller, signal) {
      const run: HeldRun = { iter: events[Symbol.asyncIterator](), controller, calls: new Set(), announced: 0, received: 0 };
      run.iter = counting(run, run.iter);
      return turn(run, signal);
    },
    resume(results, signal) {
      if (results.length === 0) return undefined;
      const runs = new Set(results.map((r) => byCall.get(r.id)));
      const unknown = results.filter((r) => !byCall.has(r.id)).map((r) => r.id);
      if (unknown.length > 0) {
        throw new ClinvkError('INVALID_INPUT', `no agent is waiting for the tool call ${unknown.map((id) => `"${id}"`).join(', ')}: unknown, already answered, or timed out`, { details: { param: 'messages' } });
      }
      if (runs.size > 1) throw new ClinvkError('INVALID_INPUT', 'these tool results answer calls of different runs; send each run\'s results in its own request', { details: { param: 'messages' } });
      const run = [...runs][0]!;
      const late: string[] = [];
      for (const { id, result } of results) {
        byCall.delete(id);
        run.calls.delete(id);
        if (!runtime.resolveToolCall?.(id, result)) late.push(id);
      }
      if (late.length > 0) {
        // The bridge gave up on it (server.tool_result_timeout_secs) a moment ago: the run is ending.
        void drain(run);
        throw new ClinvkError('INVALID_INPUT', `no agent is waiting for the tool call ${late.map((id) => `"${id}"`).join(', ')} any more: its result came too late`, { details: { param: 'messages' } });
      }
      if (run.calls.size === 0) {
        clearTimeout(run.timer);
        held.delete(run);
      }
      return turn(run, signal);
    },
    get waiting() {
      return held.size;
    },
  };
}

/** The run's events as they come from the engine, counting announced and arrived client calls (once each, replays aside). */
function counting(run: HeldRun, it: AsyncIterator<RunEvent>): AsyncIterator<RunEvent> {
  return {
    next: async () => {
      const r = await it.next();
      if (!r.done) {
        if (r.value.type === 'client_tool_call') run.received++;
        else if (r.value.type === 'tool_use' && announcesClientCall(r.value.name)) run.announced++;
      }
      return r;
    },
    return: (v?: unknown) => it.return?.(v) ?? Promise.resolve({ done: true as const, value: undefined }),
  };
}

/** Events read ahead during the settle wait, then the rest of the run. */
function replay(first: IteratorResult<RunEvent>[], rest: AsyncIterator<RunEvent>, pending?: Promise<IteratorResult<RunEvent>>): AsyncIterator<RunEvent> {
  const queue = [...first];
  let inFlight = pending;
  return {
    next: () => {
      const head = queue.shift();
      if (head) return Promise.resolve(head);
      const p = inFlight ?? rest.next();
      inFlight = undefined;
      return p;
    },
    return: (v?: unknown) => rest.return?.(v) ?? Promise.resolve({ done: true as const, value: undefined }),
  };
}
