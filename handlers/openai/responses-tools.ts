// The Responses API with the caller's own `function` tools: the agent's calls end a response with
// `function_call` output items (streamed as output_item.added / function_call_arguments.delta / .done),
// the run waits, and the next request's `function_call_output` items answer it (compat/tool-turns.ts).
import { z } from 'zod';
import type { RunResult } from '../../runtime/contract.ts';
import { clientToolsOf, collectToolTurn, notCalled, requiredToolName, startToolTurn } from '../compat/tool-run.ts';
import type { ToolCallEvent, ToolTurns, TurnEvent } from '../compat/tool-turns.ts';
import { sseResponse, type SseFrame } from '../sse.ts';
import { clinvkRunFields, type OpenAiContext } from './chat.ts';
import { openaiError, openaiErrorBody } from './errors.ts';
import { responsesTurns, type ResponsesRequest } from './responses-schema.ts';
import { checkField, clientChoice, clientTool, responsesToolSchema, toolChoiceSchema } from './tool-schemas.ts';
import type { ResponseStore } from './responses.ts';

type Raw = ResponsesRequest & { tools?: unknown; tool_choice?: unknown };
type Item = { type?: string; call_id?: unknown; output?: unknown; is_error?: unknown };

const hexId = () => crypto.randomUUID().replace(/-/g, '');

/** The function_call_output items at the end of `input` (with previous_response_id, usually all of it). */
export function functionOutputs(body: ResponsesRequest) {
  if (typeof body.input === 'string') return [];
  const out: { id: string; result: { content: string; isError?: boolean } }[] = [];
  for (let i = body.input.length - 1; i >= 0 && (body.input[i] as Item).type === 'function_call_output'; i--) {
    const it = body.input[i] as Item;
    if (typeof it.call_id !== 'string') continue;
    const text = typeof it.output === 'string' ? it.output : JSON.stringify(it.output ?? '');
    out.unshift({ id: it.call_id, result: { content: text, ...(it.is_error === true ? { isError: true } : {}) } });
  }
  return out;
}

export function usesClientTools(body: ResponsesRequest): boolean {
  const raw = body as Raw;
  const offered = Array.isArray(raw.tools) && raw.tools.some((t: { type?: unknown }) => t?.type === 'function') && raw.tool_choice !== 'none';
  return offered || functionOutputs(body).length > 0;
}

export async function toolResponse(req: Request, body: ResponsesRequest, ctx: OpenAiContext & { responses: ResponseStore; toolTurns: ToolTurns }, signal: AbortSignal): Promise<Response> {
  const raw = body as Raw;
  // Only `function` tools can be offered to an agent; the hosted and custom kinds a client such as Codex also
  // sends (web_search, custom, local_shell…) are left out, as they were before client tools existed.
  const functionTools = (Array.isArray(raw.tools) ? raw.tools : []).filter((t: { type?: unknown }) => t?.type === 'function');
  const tools = checkField(z.array(responsesToolSchema).max(128), functionTools, 'tools');
  if (!tools.ok) return openaiError(400, tools.message, { param: tools.param });
  const choice = checkField(toolChoiceSchema.optional(), raw.tool_choice ?? undefined, 'tool_choice');
  if (!choice.ok) return openaiError(400, choice.message, { param: choice.param });
  const builtin = (body.clinvk as { builtin_tools?: unknown } | undefined)?.builtin_tools;
  if (builtin !== undefined && typeof builtin !== 'boolean') return openaiError(400, 'clinvk.builtin_tools must be a boolean', { param: 'clinvk.builtin_tools' });
  const wanted = clientChoice(choice.value);
  const required = wanted === 'required' || typeof wanted === 'object' ? wanted : undefined;

  let turn = ctx.toolTurns.resume(functionOutputs(body), signal);
  if (!turn) {
    let sessionId = body.clinvk?.session_id;
    if (body.previous_response_id) {
      const previous = await ctx.responses.get(body.previous_response_id);
      if (!previous) return openaiError(404, `Previous response with id '${body.previous_response_id}' not found (responses are remembered for an hour).`, { param: 'previous_response_id', code: 'previous_response_not_found' });
      sessionId = previous.sessionId;
    }
    const clientTools = clientToolsOf(tools.value.map(clientTool), wanted !== 'none', required, builtin);
    turn = await startToolTurn(
      ctx,
      ctx.toolTurns,
      {
        model: body.model,
        turns: responsesTurns(body),
        ...clinvkRunFields(req, body.clinvk, sessionId),
        ...(body.max_output_tokens ? { maxTokens: body.max_output_tokens } : {}),
        ...(clientTools.tools.length > 0 ? { clientTools } : {}),
      },
      signal,
    );
  }
  const requiredName = requiredToolName(required);
  const id = `resp_${hexId()}`;
  const base = {
    id, object: 'response' as const, created_at: Math.floor((ctx.now?.() ?? Date.now()) / 1000), status: 'in_progress', model: body.model,
    output: [] as unknown[], usage: null as unknown, error: null as unknown, incomplete_details: null, instructions: body.instructions ?? null,
    metadata: body.metadata ?? {}, previous_response_id: body.previous_response_id ?? null, store: body.store ?? true,
    parallel_tool_calls: true, tool_choice: raw.tool_choice ?? 'auto', tools: raw.tools ?? [], temperature: null, top_p: null,
  };
  const remember = (final: typeof base, sessionId?: string) => {
    if (body.store !== false) ctx.responses.set(id, { response: final as never, ...(sessionId ? { sessionId } : {}) });
  };
  if (body.stream) return sseResponse(toolResponseEvents(turn, base, remember, requiredName), { heartbeatMs: ctx.heartbeatMs });

  const { text, calls, result } = await collectToolTurn(turn);
  if (!calls) {
    if (!result) return openaiError(500, 'the run ended without a result', { type: 'server_error' });
    if (result.error) return openaiError(...openaiErrorBody(result.error));
    if (requiredName) return openaiError(502, notCalled(requiredName), { type: 'server_error', code: 'tool_choice_not_honoured' });
  }
  const output = [...(text ? [message(`msg_${hexId()}`, text)] : []), ...(calls ?? []).map(functionCall)];
  const final = { ...base, status: 'completed', output, output_text: text, usage: usageOf(result) };
  remember(final, result?.sessionId);
  return Response.json(final);
}

const message = (id: string, text: string) => ({ type: 'message', id, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });
const functionCall = (c: ToolCallEvent) => ({ type: 'function_call', id: `fc_${hexId()}`, call_id: c.id, name: c.name, arguments: JSON.stringify(c.input ?? {}), status: 'completed' });
const usageOf = (r?: RunResult) => ({
  input_tokens: r?.usage.inputTokens ?? 0, input_tokens_details: { cached_tokens: r?.usage.cachedTokens ?? 0 },
  output_tokens: r?.usage.outputTokens ?? 0, output_tokens_details: { reasoning_tokens: r?.usage.reasoningTokens ?? 0 },
  total_tokens: (r?.usage.inputTokens ?? 0) + (r?.usage.outputTokens ?? 0),
});

async function* toolResponseEvents<B extends { output: unknown[] }>(turn: AsyncIterable<TurnEvent>, base: B, remember: (final: B, sessionId?: string) => void, requiredName: string | undefined): AsyncIterable<SseFrame> {
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>): SseFrame => ({ event: type, data: { type, sequence_number: seq++, ...data } });
  yield ev('response.created', { response: base });
  yield ev('response.in_progress', { response: base });
  const msgId = `msg_${hexId()}`;
  let text = '';
  let opened = false;
  const output: unknown[] = [];
  const closeText = function* () {
    if (!opened) return;
    opened = false;
    const at = { item_id: msgId, output_index: 0, content_index: 0 };
    yield ev('response.output_text.done', { ...at, text, logprobs: [] });
    yield ev('response.content_part.done', { ...at, part: { type: 'output_text', text, annotations: [] } });
    yield ev('response.output_item.done', { output_index: 0, item: message(msgId, text) });
    output.push(message(msgId, text));
  };
  for await (const e of turn) {
    if (e.type === 'text' && e.text) {
      if (!opened) {
        opened = true;
        yield ev('response.output_item.added', { output_index: 0, item: { type: 'message', id: msgId, status: 'in_progress', role: 'assistant', content: [] } });
        yield ev('response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      }
      text += e.text;
      yield ev('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta: e.text, logprobs: [] });
    } else if (e.type === 'tool_calls') {
      yield* closeText();
      for (const c of e.calls) {
        const item = functionCall(c);
        const output_index = output.length;
        yield ev('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
        yield ev('response.function_call_arguments.delta', { item_id: item.id, output_index, delta: item.arguments });
        yield ev('response.function_call_arguments.done', { item_id: item.id, output_index, arguments: item.arguments });
        yield ev('response.output_item.done', { output_index, item });
        output.push(item);
      }
      const final = { ...base, status: 'completed', output, usage: usageOf() };
      remember(final);
      yield ev('response.completed', { response: final });
      return;
    } else if (e.type === 'done') {
      const error = e.result.error;
      if (error || requiredName) {
        const message = error ? openaiErrorBody(error)[1] : notCalled(requiredName!);
        yield ev('response.failed', { response: { ...base, status: 'failed', error: { code: error ? error.code.toLowerCase() : 'tool_choice_not_honoured', message } } });
        return;
      }
      yield* closeText();
      const final = { ...base, status: 'completed', output, usage: usageOf(e.result) };
      remember(final, e.result.sessionId);
      yield ev('response.completed', { response: final });
    }
  }
}
