// Starting a run that offers the caller's own tools, for every compatible door: the run outlives the
// request (it waits for the next request's tool results), so it gets its own controller, tied to the
// request only while a response is being written (compat/tool-turns.ts).
import { startChatRun, type ChatRunContext, type ChatRunRequest } from './chat-run.ts';
import type { ToolTurns, TurnEvent } from './tool-turns.ts';

export async function startToolTurn(ctx: ChatRunContext, toolTurns: ToolTurns, req: ChatRunRequest, signal: AbortSignal): Promise<AsyncIterable<TurnEvent>> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const started = await startChatRun(ctx, req, controller.signal);
    return toolTurns.start(started.events, controller, signal);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** The words of a failed tool_choice check, the same on every door. */
export const notCalled = (what: string) => `tool_choice required the agent to call ${what}, but it answered without calling it`;
