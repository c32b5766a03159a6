// What one gemini `--acp` turn streams, as BackendEvents: `session/update` notifications (message
// chunks, tool calls and their updates) and the tool calls that arrive as `session/request_permission`
// requests (gemini sends no `tool_call` update of its own for those). Shapes: the captures in
// test/fixtures/samples/gemini-acp/ (gemini 0.61.0). Stateful per turn, like the cold parser, so the
// events read the same: one tool_use per call, text after a tool on a new paragraph.
import type { ApprovalMode } from '../contract.ts';
import { arr, isObj, str, type Json } from './jsonl.ts';
import type { BackendEvent } from './types.ts';

/** gemini's callIds are `<tool name>__<tool name>_<ms>_<n>`; the name is what the cold run reports. */
function toolName(call: Json): string {
  const id = str(call.toolCallId) ?? '';
  const at = id.indexOf('__');
  if (at > 0) return id.slice(0, at);
  return str(call.kind) ?? 'tool';
}

/** The text of an ACP ToolCallContent list: text blocks as they are, a diff as the path it changed. */
function contentOutput(content: unknown): string {
  return arr(content)
    .map((c) => {
      if (!isObj(c)) return '';
      if (c.type === 'content' && isObj(c.content)) return str(c.content.text) ?? '';
      if (c.type === 'diff') return `edited ${str(c.path) ?? 'a file'}`;
      return '';
    })
    .filter((t) => t !== '')
    .join('\n');
}

/** The option to pick in a permission request: allow only when the run's approval mode lets every tool run. */
export function permissionOutcome(options: unknown, allow: boolean): Json {
  const kinds = allow ? ['allow_once', 'allow_always'] : ['reject_once', 'reject_always'];
  for (const kind of kinds) {
    const option = arr(options).find((o) => isObj(o) && o.kind === kind);
    const optionId = isObj(option) ? str(option.optionId) : undefined;
    if (optionId !== undefined) return { outcome: { outcome: 'selected', optionId } };
  }
  // No such option: "cancelled" is the one answer every request takes (gemini reads it as a rejection).
  return { outcome: { outcome: 'cancelled' } };
}

/**
 * Which approval modes answer "allow": only `none` (`--yolo`). In the other modes a cold headless gemini
 * does not even offer the tools that need approval, so refusing keeps warm and cold turns alike.
 */
export const allowsEveryTool = (mode: ApprovalMode): boolean => mode === 'none';

export interface AcpTurnEvents {
  /** One `session/update`'s `update` object. */
  update(update: Json): BackendEvent[];
  /** A permission request's `toolCall`, and whether we allowed it. */
  permission(toolCall: Json, allowed: boolean, mode: ApprovalMode): BackendEvent[];
}

export function createAcpTurnEvents(): AcpTurnEvents {
  const announced = new Map<string, string>(); // toolCallId → name, once its tool_use was emitted
  const finished = new Set<string>();
  let textSeen = false;
  let toolSince = false;

  const toolUse = (call: Json): BackendEvent[] => {
    const id = str(call.toolCallId);
    if (id !== undefined && announced.has(id)) return [];
    const name = toolName(call);
    if (id !== undefined) announced.set(id, name);
    toolSince = true;
    const input: Json = { title: str(call.title) ?? name };
    if (str(call.kind) !== undefined) input.kind = call.kind;
    if (arr(call.locations).length > 0) input.locations = call.locations;
    return [{ kind: 'tool_use', ...(id === undefined ? {} : { id }), name, input }];
  };

  const toolResult = (call: Json, output: string, isError: boolean): BackendEvent[] => {
    const id = str(call.toolCallId);
    if (id !== undefined && finished.has(id)) return [];
    if (id !== undefined) finished.add(id);
    const name = (id === undefined ? undefined : announced.get(id)) ?? toolName(call);
    toolSince = true;
    return [{ kind: 'tool_result', ...(id === undefined ? {} : { id }), name, output, isError }];
  };

  const handlers: Record<string, (u: Json) => BackendEvent[]> = {
    agent_message_chunk: (u) => {
      const text = isObj(u.content) && u.content.type === 'text' ? (str(u.content.text) ?? '') : '';
      if (text === '') return [];
      const sep = textSeen && toolSince ? '\n\n' : '';
      textSeen = true;
      toolSince = false;
      return [{ kind: 'text', text: sep + text }];
    },
    tool_call: (u) => {
      const out = toolUse(u);
      // A call reported already settled (e.g. a history replay) carries its result too.
      if (u.status === 'completed' || u.status === 'failed') out.push(...toolResult(u, contentOutput(u.content), u.status === 'failed'));
      return out;
    },
    tool_call_update: (u) => {
      if (u.status !== 'completed' && u.status !== 'failed') return [];
      return [...toolUse(u), ...toolResult(u, contentOutput(u.content), u.status === 'failed')];
    },
    // Thoughts, plans, the user's own message (history replays), commands and modes are not part of the answer.
  };

  return {
    update: (u) => handlers[str(u.sessionUpdate) ?? '']?.(u) ?? [],
    permission(toolCall, allowed, mode) {
      const out = toolUse(toolCall);
      if (!allowed) {
        const why = `clinvk refused this tool call: approval mode "${mode}" runs only the tools gemini approves itself (approval "none" allows all)`;
        out.push(...toolResult(toolCall, why, true));
      }
      return out;
    },
  };
}
