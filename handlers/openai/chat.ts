// POST /openai/v1/chat/completions: non-streaming `chat.completion` and streaming
// `chat.completion.chunk` SSE frames ending in `data: [DONE]`.
import type { RunEvent, RunResult, TokenUsage } from '../../runtime/contract.ts';
import { startChatRun, type ChatRunContext } from '../compat/chat-run.ts';
import { sseResponse, type SseFrame } from '../sse.ts';
import { chatCompletionRequestSchema, chatTurns } from './schemas.ts';
import { openaiError, openaiErrorBody, parseOpenAiBody } from './errors.ts';
import { chatOutputSchema, openAiEffort } from './structured.ts';
import { toolChatCompletions, usesClientTools } from './chat-tools.ts';

export interface OpenAiContext extends ChatRunContext {
  heartbeatMs: number;
  now?: () => number;
}

export function openAiUsage(u: TokenUsage) {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}

const randomId = (prefix: string) => `${prefix}${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;

/** Request header or body option that turns conversation reuse off for one request. */
export function reuseRequested(req: Request, bodyOption: boolean | undefined): boolean {
  const header = req.headers.get('x-clinvk-reuse-session');
  if (header !== null) return !/^(0|false|no|off)$/i.test(header.trim());
  return bodyOption ?? true;
}

/**
 * The run fields of clinvk's own extension on every compatible door (the `clinvk` body object and the
 * reuse header): conversation reuse, workdir and session. `sessionId` overrides the extension's session
 * (Responses: the one a previous_response_id names).
 */
export function clinvkRunFields(req: Request, ext: { reuse_session?: boolean | undefined; workdir?: string | undefined; session_id?: string | undefined } | undefined, sessionId = ext?.session_id) {
  return { reuseSession: reuseRequested(req, ext?.reuse_session), ...(ext?.workdir ? { workdir: ext.workdir } : {}), ...(sessionId ? { sessionId } : {}) };
}

export async function chatCompletions(req: Request, ctx: OpenAiContext, signal: AbortSignal): Promise<Response> {
  const parsed = await parseOpenAiBody(req, chatCompletionRequestSchema);
  if (!parsed.ok) return parsed.response;
  const body = parsed.value;
  if (body.n != null && body.n > 1) {
    return openaiError(400, 'n > 1 is not supported: each choice would be a separate agent run; send separate requests instead', { param: 'n', code: 'unsupported_value' });
  }
  if (ctx.toolTurns && usesClientTools(body)) return toolChatCompletions(req, body, ctx, signal);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const outputSchema = chatOutputSchema(body.response_format);
  const effort = openAiEffort(body.reasoning_effort);
  const started = await startChatRun(
    ctx,
    {
      model: body.model,
      turns: chatTurns(body.messages),
      ...clinvkRunFields(req, body.clinvk),
      ...(maxTokens ? { maxTokens } : {}),
      ...(outputSchema ? { outputSchema } : {}),
      ...(effort ? { effort } : {}),
    },
    signal,
  );
  const meta = { id: randomId('chatcmpl-'), created: Math.floor((ctx.now?.() ?? Date.now()) / 1000), model: body.model };
  if (body.stream) {
    const includeUsage = body.stream_options?.include_usage === true;
    return sseResponse(chunkFrames(started.events, meta, includeUsage), { heartbeatMs: ctx.heartbeatMs });
  }
  let result: RunResult | undefined;
  for await (const ev of started.events) if (ev.type === 'done') result = ev.result;
  if (!result) return openaiError(500, 'the run ended without a result', { type: 'server_error' });
  if (result.error) return openaiError(...openaiErrorBody(result.error));
  return Response.json({
    ...meta,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: result.output, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: openAiUsage(result.usage),
    system_fingerprint: null,
    clinvk: { backend: result.backend, session_id: result.sessionId, duration_ms: result.durationMs, warnings: result.warnings },
  });
}

type Meta = { id: string; created: number; model: string };

async function* chunkFrames(events: AsyncIterable<RunEvent>, meta: Meta, includeUsage: boolean): AsyncIterable<SseFrame> {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    data: { ...meta, object: 'chat.completion.chunk', system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  yield chunk({ role: 'assistant', content: '' });
  for await (const ev of events) {
    if (ev.type === 'text' && ev.text) yield chunk({ content: ev.text });
    if (ev.type !== 'done') continue;
    if (ev.result.error) {
      // The SDK raises an APIError for a frame carrying `error`: a failure is never a silent truncation.
      const [, message, opts] = openaiErrorBody(ev.result.error);
      yield { data: { error: { message, type: opts.type ?? 'server_error', param: null, code: opts.code ?? null } } };
      return;
    }
    yield chunk({}, 'stop');
    if (includeUsage) yield { data: { ...meta, object: 'chat.completion.chunk', system_fingerprint: null, choices: [], usage: openAiUsage(ev.result.usage) } };
  }
  yield { data: '[DONE]' };
}
