// POST /openai/v1/responses (non-streaming and SSE `response.*` events) and GET /responses/{id}.
// `previous_response_id` resumes the backend session that produced that response.
import type { RunEvent, RunResult } from '../../runtime/contract.ts';
import { startChatRun } from '../compat/chat-run.ts';
import { peekFirst } from '../compat/peek.ts';
import type { KeyValueMemory } from '../compat/memory.ts';
import { sseResponse, type SseFrame } from '../sse.ts';
import type { OpenAiContext } from './chat.ts';
import { clinvkRunFields } from './chat.ts';
import { openaiError, openaiErrorBody, parseOpenAiBody } from './errors.ts';
import { responsesRequestSchema, responsesTurns, type ResponsesRequest } from './responses-schema.ts';
import { openAiEffort, textOutputSchema } from './structured.ts';
import { toolResponse, usesClientTools } from './responses-tools.ts';

export interface StoredResponse {
  response: ResponseObject;
  sessionId?: string;
}
export type ResponseStore = KeyValueMemory<StoredResponse> & {
  /** A new response id for a run of this session (the edge writes the runner's name into it); default resp_<hex>. */
  idFor?: (sessionId: string | undefined) => string;
};

type ResponseObject = ReturnType<typeof responseObject>;

const hexId = () => crypto.randomUUID().replace(/-/g, '');

function usage(r: RunResult) {
  return {
    input_tokens: r.usage.inputTokens,
    input_tokens_details: { cached_tokens: r.usage.cachedTokens },
    output_tokens: r.usage.outputTokens,
    output_tokens_details: { reasoning_tokens: r.usage.reasoningTokens },
    total_tokens: r.usage.inputTokens + r.usage.outputTokens,
  };
}

function messageItem(id: string, text: string, status: 'in_progress' | 'completed') {
  return { type: 'message' as const, id, status, role: 'assistant' as const, content: text === '' && status === 'in_progress' ? [] : [outputText(text)] };
}
const outputText = (text: string) => ({ type: 'output_text' as const, text, annotations: [] as unknown[] });

function responseObject(id: string, createdAt: number, body: ResponsesRequest, status: 'in_progress' | 'completed' | 'failed') {
  return {
    id,
    object: 'response' as const,
    created_at: createdAt,
    status,
    model: body.model,
    output: [] as ReturnType<typeof messageItem>[],
    output_text: undefined as string | undefined,
    usage: null as ReturnType<typeof usage> | null,
    error: null as { code: string; message: string } | null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    metadata: body.metadata ?? {},
    previous_response_id: body.previous_response_id ?? null,
    store: body.store ?? true,
    parallel_tool_calls: false,
    tool_choice: 'auto' as const,
    tools: [] as unknown[],
    temperature: null,
    top_p: null,
  };
}

function finish(obj: ResponseObject, itemId: string, result: RunResult): ResponseObject {
  const done = { ...obj, status: result.error ? ('failed' as const) : ('completed' as const), usage: usage(result) };
  if (result.error) return { ...done, error: { code: result.error.code.toLowerCase(), message: result.error.message } };
  return { ...done, output: [messageItem(itemId, result.output, 'completed')], output_text: result.output };
}

export async function createResponse(req: Request, ctx: OpenAiContext & { responses: ResponseStore }, signal: AbortSignal): Promise<Response> {
  const parsed = await parseOpenAiBody(req, responsesRequestSchema);
  if (!parsed.ok) return parsed.response;
  const body = parsed.value;
  if (ctx.toolTurns && usesClientTools(body)) return toolResponse(req, body, { ...ctx, toolTurns: ctx.toolTurns }, signal);
  let sessionId = body.clinvk?.session_id;
  if (body.previous_response_id) {
    const previous = await ctx.responses.get(body.previous_response_id);
    if (!previous) return openaiError(404, `Previous response with id '${body.previous_response_id}' not found (responses are remembered for an hour).`, { param: 'previous_response_id', code: 'previous_response_not_found' });
    sessionId = previous.sessionId;
  }
  const outputSchema = textOutputSchema(body.text?.format);
  const effort = openAiEffort(body.reasoning?.effort);
  const started = await startChatRun(
    ctx,
    {
      model: body.model,
      turns: responsesTurns(body),
      ...(outputSchema ? { outputSchema } : {}),
      ...(effort ? { effort } : {}),
      ...clinvkRunFields(req, body.clinvk, sessionId),
      ...(body.max_output_tokens ? { maxTokens: body.max_output_tokens } : {}),
      ...(body.metadata ? { metadata: body.metadata } : {}),
    },
    signal,
  );
  const { first, events } = await peekFirst(started.events);
  const id = ctx.responses.idFor?.(first?.type === 'init' ? first.sessionId : undefined) ?? `resp_${hexId()}`;
  const itemId = `msg_${hexId()}`;
  const base = responseObject(id, Math.floor((ctx.now?.() ?? Date.now()) / 1000), body, 'in_progress');
  const remember = async (result: RunResult, final: ResponseObject) => {
    if (body.store !== false) await ctx.responses.set(id, { response: final, ...(result.sessionId ? { sessionId: result.sessionId } : {}) });
  };
  if (body.stream) return sseResponse(responseEvents(events, base, itemId, remember), { heartbeatMs: ctx.heartbeatMs });
  let result: RunResult | undefined;
  for await (const ev of events) if (ev.type === 'done') result = ev.result;
  if (!result) return openaiError(500, 'the run ended without a result', { type: 'server_error' });
  if (result.error) return openaiError(...openaiErrorBody(result.error));
  const final = finish(base, itemId, result);
  await remember(result, final);
  return Response.json(final);
}

async function* responseEvents(
  events: AsyncIterable<RunEvent>,
  base: ResponseObject,
  itemId: string,
  remember: (r: RunResult, final: ResponseObject) => Promise<void>,
): AsyncIterable<SseFrame> {
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>): SseFrame => ({ event: type, data: { type, sequence_number: seq++, ...data } });
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  yield ev('response.created', { response: base });
  yield ev('response.in_progress', { response: base });
  yield ev('response.output_item.added', { output_index: 0, item: messageItem(itemId, '', 'in_progress') });
  yield ev('response.content_part.added', { ...at, part: outputText('') });
  for await (const e of events) {
    if (e.type === 'text' && e.text) yield ev('response.output_text.delta', { ...at, delta: e.text, logprobs: [] });
    if (e.type !== 'done') continue;
    const final = finish(base, itemId, e.result);
    await remember(e.result, final);
    if (e.result.error) {
      yield ev('response.failed', { response: final });
      return;
    }
    yield ev('response.output_text.done', { ...at, text: e.result.output, logprobs: [] });
    yield ev('response.content_part.done', { ...at, part: outputText(e.result.output) });
    yield ev('response.output_item.done', { output_index: 0, item: messageItem(itemId, e.result.output, 'completed') });
    yield ev('response.completed', { response: final });
  }
}

export async function getResponse(id: string, responses: ResponseStore): Promise<Response> {
  const hit = await responses.get(id);
  if (!hit) return openaiError(404, `Response with id '${id}' not found (responses are remembered for an hour, and only with store: true).`, { code: 'not_found', param: 'response_id' });
  return Response.json(hit.response);
}
