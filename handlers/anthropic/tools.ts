// Anthropic Messages with the caller's own tools (`tools`, `tool_choice`): the agent's calls end a
// message as `tool_use` blocks + stop_reason "tool_use", the run waits, and the next request's
// `tool_result` blocks (`is_error` → an MCP error) answer it (compat/tool-turns.ts).
import { z } from 'zod';
import type { ClientTools, RunResult } from '../../runtime/contract.ts';
import { clientToolsOf, collectToolTurn, notCalled, requiredToolName, startToolTurn } from '../compat/tool-run.ts';
import type { ToolCallEvent, ToolTurns, TurnEvent } from '../compat/tool-turns.ts';
import { checkField, TOOL_NAME } from '../openai/tool-schemas.ts';
import { clinvkRunFields } from '../openai/chat.ts';
import { sseResponse, type SseFrame } from '../sse.ts';
import { anthropicError, anthropicErrorBody } from './errors.ts';
import { messagesTurns, type MessagesRequest } from './schemas.ts';
import type { AnthropicContext } from './messages.ts';

/**
 * Server tools (web_search_…, code_execution_…) run at Anthropic: nothing here could run them, so they are
 * left out, as before tools were offered at all (Claude Code may send one beside its custom tools).
 */
const isCustom = (t: unknown) => typeof t === 'object' && t !== null && ((t as { type?: unknown }).type === undefined || (t as { type?: unknown }).type === 'custom');
const customTool = z.looseObject({
  type: z.literal('custom').optional(),
  name: z.string().regex(TOOL_NAME, 'a tool name is 1-64 letters, digits, underscores or dashes'),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
});
const toolChoice = z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional() });

type Raw = MessagesRequest & { tools?: unknown; tool_choice?: unknown };
type ResultBlock = { type: string; tool_use_id?: unknown; content?: unknown; is_error?: unknown };

const blockText = (c: unknown): string =>
  typeof c === 'string' ? c : Array.isArray(c) ? c.map((b: { type?: string; text?: string }) => (b.type === 'text' ? (b.text ?? '') : `[${b.type ?? 'unknown'} content omitted]`)).join('\n') : '';

/** The tool_result blocks of the last user message (Claude Code puts a `system` entry after it). */
export function toolResults(body: MessagesRequest) {
  const last = body.messages.filter((m) => m.role !== 'system').at(-1);
  if (!last || last.role !== 'user' || typeof last.content === 'string') return [];
  return (last.content as ResultBlock[])
    .filter((b) => b.type === 'tool_result' && typeof b.tool_use_id === 'string')
    .map((b) => ({ id: b.tool_use_id as string, result: { content: blockText(b.content), ...(b.is_error === true ? { isError: true } : {}) } }));
}

export function usesClientTools(body: MessagesRequest): boolean {
  const raw = body as Raw;
  const offered = Array.isArray(raw.tools) && raw.tools.some(isCustom) && (raw.tool_choice as { type?: unknown } | undefined)?.type !== 'none';
  return offered || toolResults(body).length > 0;
}

export async function toolMessage(req: Request, body: MessagesRequest, ctx: AnthropicContext & { toolTurns: ToolTurns }, signal: AbortSignal): Promise<Response> {
  const raw = body as Raw;
  const tools = checkField(z.array(customTool).max(256), Array.isArray(raw.tools) ? raw.tools.filter(isCustom) : [], 'tools');
  if (!tools.ok) return anthropicError(400, tools.message);
  const choice = checkField(toolChoice.optional(), raw.tool_choice, 'tool_choice');
  if (!choice.ok) return anthropicError(400, choice.message);
  if (choice.value?.type === 'tool' && !choice.value.name) return anthropicError(400, 'tool_choice.name: Field required');
  const builtin = (body.clinvk as { builtin_tools?: unknown } | undefined)?.builtin_tools;
  if (builtin !== undefined && typeof builtin !== 'boolean') return anthropicError(400, 'clinvk.builtin_tools: must be a boolean');
  const required: ClientTools['choice'] = choice.value?.type === 'any' ? 'required' : choice.value?.type === 'tool' ? { name: choice.value.name! } : undefined;

  let turn = ctx.toolTurns.resume(toolResults(body), signal);
  if (!turn) {
    const offered = tools.value.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: t.input_schema }));
    const clientTools = clientToolsOf(offered, choice.value?.type !== 'none', required, builtin);
    turn = await startToolTurn(
      ctx,
      ctx.toolTurns,
      {
        model: body.model,
        turns: messagesTurns(body),
        ...clinvkRunFields(req, body.clinvk),
        ...(clientTools.tools.length > 0 ? { clientTools } : {}),
      },
      signal,
    );
  }
  const requiredName = requiredToolName(required);
  const id = `msg_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;
  if (body.stream) {
    return sseResponse(toolMessageFrames(turn, id, body.model, requiredName), { heartbeatMs: ctx.heartbeatMs, heartbeat: () => ({ event: 'ping', data: { type: 'ping' } }) });
  }
  const { text, calls, result } = await collectToolTurn(turn);
  const message = (content: unknown[], stop: string, r?: RunResult) => ({
    id, type: 'message', role: 'assistant', model: body.model, content, stop_reason: stop, stop_sequence: null,
    usage: { input_tokens: r?.usage.inputTokens ?? 0, output_tokens: r?.usage.outputTokens ?? 0, cache_read_input_tokens: r?.usage.cachedTokens ?? 0, cache_creation_input_tokens: 0 },
  });
  if (calls) return Response.json(message([...(text ? [{ type: 'text', text }] : []), ...calls.map(toolUse)], 'tool_use'));
  if (!result) return anthropicError(500, 'the run ended without a result');
  if (result.error) return anthropicError(...anthropicErrorBody(result.error));
  if (requiredName) return anthropicError(500, notCalled(requiredName));
  return Response.json(message([{ type: 'text', text }], 'end_turn', result));
}

const toolUse = (c: ToolCallEvent) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.input ?? {} });

async function* toolMessageFrames(turn: AsyncIterable<TurnEvent>, id: string, model: string, requiredName: string | undefined): AsyncIterable<SseFrame> {
  const frame = (type: string, data: Record<string, unknown>): SseFrame => ({ event: type, data: { type, ...data } });
  yield frame('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } } });
  let index = 0;
  let textOpen = false;
  const closeText = function* () {
    if (!textOpen) return;
    textOpen = false;
    yield frame('content_block_stop', { index: index++ });
  };
  for await (const ev of turn) {
    if (ev.type === 'text' && ev.text) {
      if (!textOpen) yield frame('content_block_start', { index, content_block: { type: 'text', text: '' } });
      textOpen = true;
      yield frame('content_block_delta', { index, delta: { type: 'text_delta', text: ev.text } });
    } else if (ev.type === 'tool_calls') {
      yield* closeText();
      for (const c of ev.calls) {
        yield frame('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } });
        yield frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(c.input ?? {}) } });
        yield frame('content_block_stop', { index: index++ });
      }
      yield frame('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 0 } });
      yield frame('message_stop', {});
      return;
    } else if (ev.type === 'done') {
      const error = ev.result.error;
      if (error || requiredName) {
        const message = error ? anthropicErrorBody(error)[1] : notCalled(requiredName!);
        const type = error ? anthropicErrorBody(error)[2] : 'api_error';
        yield frame('error', { error: { type, message } });
        return;
      }
      if (!textOpen && index === 0) {
        yield frame('content_block_start', { index, content_block: { type: 'text', text: '' } });
        textOpen = true;
      }
      yield* closeText();
      yield frame('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: ev.result.usage.inputTokens, output_tokens: ev.result.usage.outputTokens } });
      yield frame('message_stop', {});
    }
  }
}
