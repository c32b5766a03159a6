// Starting a run that offers the caller's own tools, for every compatible door: the run outlives the
// request (it waits for the next request's tool results), so it gets its own controller, tied to the
// request only while a response is being written (compat/tool-turns.ts).
import type { ClientTool, ClientTools, RunResult } from '../../runtime/contract.ts';
import { startChatRun, type ChatRunContext, type ChatRunRequest } from './chat-run.ts';
import type { ToolCallEvent, ToolTurns, TurnEvent } from './tool-turns.ts';

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

/** The ClientTools of a request: none offered when tool_choice is `none`; a required call; builtin tools off. */
export function clientToolsOf(tools: ClientTool[], offered: boolean, required: ClientTools['choice'] | undefined, builtin: unknown): ClientTools {
  const clientTools: ClientTools = { tools: offered ? tools : [] };
  if (required) clientTools.choice = required;
  if (builtin === false) clientTools.builtinTools = false;
  return clientTools;
}

/** What a required tool_choice asks for, in notCalled's words; undefined when no call is required. */
export const requiredToolName = (required: ClientTools['choice'] | undefined) =>
  required === undefined ? undefined : required === 'required' ? 'a tool' : typeof required === 'object' ? `the tool "${required.name}"` : undefined;

/** A whole turn, for a non-streaming answer: its text, the tool calls that ended it, or its result. */
export async function collectToolTurn(turn: AsyncIterable<TurnEvent>): Promise<{ text: string; calls?: ToolCallEvent[]; result?: RunResult }> {
  let text = '';
  let calls: ToolCallEvent[] | undefined;
  let result: RunResult | undefined;
  for await (const ev of turn) {
    if (ev.type === 'text') text += ev.text;
    else if (ev.type === 'tool_calls') calls = ev.calls;
    else if (ev.type === 'done') result = ev.result;
  }
  return { text, ...(calls ? { calls } : {}), ...(result ? { result } : {}) };
}
