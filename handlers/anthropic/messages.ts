// POST /anthropic/v1/messages (non-streaming and SSE) and /messages/count_tokens.
import type { RunEvent, RunResult } from '../../runtime/contract.ts';
import { startChatRun, type ChatRunContext } from '../compat/chat-run.ts';
import { clinvkRunFields } from '../openai/chat.ts';
import { sseResponse, type SseFrame } from '../sse.ts';
import { anthropicError, anthropicErrorBody, parseAnthropicBody } from './errors.ts';
import { countTokensRequestSchema, messagesRequestSchema, messagesTurns } from './schemas.ts';
import { anthropicRunOptions } from './structured.ts';
import { toolMessage, usesClientTools } from './tools.ts';

export interface AnthropicContext extends ChatRunContext {
  heartbeatMs: number;
}

const messageId = () => `msg_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;

function usage(r: RunResult) {
  return {
    input_tokens: r.usage.inputTokens,
    output_tokens: r.usage.outputTokens,
    cache_read_input_tokens: r.usage.cachedTokens,
    cache_creation_input_tokens: 0,
  };
}

export async function createMessage(req: Request, ctx: AnthropicContext, signal: AbortSignal): Promise<Response> {
  const parsed = await parseAnthropicBody(req, messagesRequestSchema);
  if (!parsed.ok) return parsed.response;
  const body = parsed.value;
  if (ctx.toolTurns && usesClientTools(body)) return toolMessage(req, body, { ...ctx, toolTurns: ctx.toolTurns }, signal);
  const started = await startChatRun(
    ctx,
    {
      model: body.model,
      turns: messagesTurns(body),
      ...clinvkRunFields(req, body.clinvk),
      ...anthropicRunOptions(body),
    },
    signal,
  );
  const id = messageId();
  if (body.stream) {
    // Anthropic's own keep-alive is a `ping` event; the SDK skips it.
    return sseResponse(messageFrames(started.events, id, body.model), {
      heartbeatMs: ctx.heartbeatMs,
      heartbeat: () => ({ event: 'ping', data: { type: 'ping' } }),
    });
  }
  let result: RunResult | undefined;
  for await (const ev of started.events) if (ev.type === 'done') result = ev.result;
  if (!result) return anthropicError(500, 'the run ended without a result');
  if (result.error) return anthropicError(...anthropicErrorBody(result.error));
  return Response.json({
    id,
    type: 'message',
    role: 'assistant',
    model: body.model,
    content: [{ type: 'text', text: result.output }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: usage(result),
  });
}

async function* messageFrames(events: AsyncIterable<RunEvent>, id: string, model: string): AsyncIterable<SseFrame> {
  const frame = (type: string, data: Record<string, unknown>): SseFrame => ({ event: type, data: { type, ...data } });
  yield frame('message_start', {
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
  });
  yield frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  yield frame('ping', {});
  for await (const ev of events) {
    if (ev.type === 'text' && ev.text) yield frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ev.text } });
    if (ev.type !== 'done') continue;
    if (ev.result.error) {
      // An `error` event makes the SDK throw: a failed run is never a silently short answer.
      const [, message, type] = anthropicErrorBody(ev.result.error);
      yield frame('error', { error: { type, message } });
      return;
    }
    yield frame('content_block_stop', { index: 0 });
    yield frame('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: usage(ev.result) });
    yield frame('message_stop', {});
  }
}

/** An estimate (about four characters a token): the backends expose no tokenizer. */
export async function countTokens(req: Request): Promise<Response> {
  const parsed = await parseAnthropicBody(req, countTokensRequestSchema);
  if (!parsed.ok) return parsed.response;
  const chars = messagesTurns(parsed.value).reduce((n, t) => n + t.text.length, 0);
  return Response.json({ input_tokens: Math.max(1, Math.ceil(chars / 4)) });
}
