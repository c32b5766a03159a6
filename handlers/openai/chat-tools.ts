// OpenAI chat completions with the caller's own function tools (`tools`, `tool_choice`): the agent's
// calls end a response as `tool_calls` + finish_reason "tool_calls" (streamed as the SDK accumulates
// them), the run waits, and the next request's `role: "tool"` messages answer it (compat/tool-turns.ts).
import { z } from 'zod';
import { clientToolsOf, collectToolTurn, notCalled, requiredToolName, startToolTurn } from '../compat/tool-run.ts';
import type { ToolCallEvent, TurnEvent } from '../compat/tool-turns.ts';
import { sseResponse, type SseFrame } from '../sse.ts';
import type { ChatCompletionRequest } from './schemas.ts';
import { chatTurns, contentText } from './schemas.ts';
import { clinvkRunFields, openAiUsage, type OpenAiContext } from './chat.ts';
import { openaiError, openaiErrorBody } from './errors.ts';
import { chatToolSchema, checkField, clientChoice, clientTool, toolChoiceSchema } from './tool-schemas.ts';

type Message = ChatCompletionRequest['messages'][number];

/** The `role: "tool"` messages after the last assistant message: the results of the calls it made. */
export function trailingToolResults(messages: Message[]) {
  const out: { id: string; result: { content: string; isError?: boolean } }[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role === 'tool'; i--) {
    const m = messages[i]! as Message & { is_error?: unknown };
    if (!m.tool_call_id) continue;
    // OpenAI has no error flag on a tool message; `is_error: true` (a clinvk extension) makes it an MCP error.
    out.unshift({ id: m.tool_call_id, result: { content: contentText(m.content), ...(m.is_error === true ? { isError: true } : {}) } });
  }
  return out;
}

/** Whether this request is part of a tool loop: it offers tools, or it answers waiting calls. */
export function usesClientTools(body: ChatCompletionRequest): boolean {
  const b = body as ChatCompletionRequest & { tools?: unknown; tool_choice?: unknown };
  const offered = Array.isArray(b.tools) && b.tools.length > 0 && b.tool_choice !== 'none';
  return offered || trailingToolResults(body.messages).length > 0;
}

const builtinTools = (body: ChatCompletionRequest) => (body.clinvk as { builtin_tools?: unknown } | undefined)?.builtin_tools;

export async function toolChatCompletions(req: Request, body: ChatCompletionRequest, ctx: OpenAiContext, signal: AbortSignal): Promise<Response> {
  const raw = body as ChatCompletionRequest & { tools?: unknown; tool_choice?: unknown };
  const tools = checkField(z.array(chatToolSchema).max(128), raw.tools ?? [], 'tools');
  if (!tools.ok) return openaiError(400, tools.message, { param: tools.param });
  const choice = checkField(toolChoiceSchema.optional(), raw.tool_choice ?? undefined, 'tool_choice');
  if (!choice.ok) return openaiError(400, choice.message, { param: choice.param });
  const builtin = builtinTools(body);
  if (builtin !== undefined && typeof builtin !== 'boolean') return openaiError(400, 'clinvk.builtin_tools must be a boolean', { param: 'clinvk.builtin_tools' });
  const wanted = clientChoice(choice.value);
  const required = wanted === 'required' || typeof wanted === 'object' ? wanted : undefined;

  const meta = { id: `chatcmpl-${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`, created: Math.floor((ctx.now?.() ?? Date.now()) / 1000), model: body.model };
  const toolTurns = ctx.toolTurns!;
  let turn = toolTurns.resume(trailingToolResults(body.messages), signal);
  if (!turn) {
    const clientTools = clientToolsOf(tools.value.map((t) => clientTool(t.function)), wanted !== 'none', required, builtin);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    turn = await startToolTurn(
      ctx,
      toolTurns,
      {
        model: body.model,
        turns: chatTurns(body.messages),
        ...clinvkRunFields(req, body.clinvk),
        ...(maxTokens ? { maxTokens } : {}),
        ...(clientTools.tools.length > 0 ? { clientTools } : {}),
      },
      signal,
    );
  }
  const requiredName = requiredToolName(required);
  if (body.stream) return sseResponse(toolChunkFrames(turn, meta, body.stream_options?.include_usage === true, requiredName), { heartbeatMs: ctx.heartbeatMs });

  const { text, calls, result } = await collectToolTurn(turn);
  if (calls) {
    return Response.json({
      ...meta,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: text || null, refusal: null, tool_calls: calls.map(openAiCall) }, logprobs: null, finish_reason: 'tool_calls' }],
      // Usage is counted when the run ends; a response that stops on tool calls has none yet.
      usage: openAiUsage({ inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }),
      system_fingerprint: null,
    });
  }
  if (!result) return openaiError(500, 'the run ended without a result', { type: 'server_error' });
  if (result.error) return openaiError(...openaiErrorBody(result.error));
  if (requiredName) return openaiError(502, notCalled(requiredName), { type: 'server_error', code: 'tool_choice_not_honoured' });
  return Response.json({
    ...meta,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: openAiUsage(result.usage),
    system_fingerprint: null,
    clinvk: { backend: result.backend, session_id: result.sessionId, duration_ms: result.durationMs, warnings: result.warnings },
  });
}

const openAiCall = (c: ToolCallEvent) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) } });

type Meta = { id: string; created: number; model: string };

async function* toolChunkFrames(turn: AsyncIterable<TurnEvent>, meta: Meta, includeUsage: boolean, requiredName: string | undefined): AsyncIterable<SseFrame> {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    data: { ...meta, object: 'chat.completion.chunk', system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  yield chunk({ role: 'assistant', content: '' });
  for await (const ev of turn) {
    if (ev.type === 'text' && ev.text) yield chunk({ content: ev.text });
    if (ev.type === 'tool_calls') {
      // As OpenAI streams them: each call opens with id, type and name, its arguments follow as deltas.
      for (const [index, c] of ev.calls.entries()) {
        yield chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] });
        yield chunk({ tool_calls: [{ index, function: { arguments: JSON.stringify(c.input ?? {}) } }] });
      }
      yield chunk({}, 'tool_calls');
      break;
    }
    if (ev.type !== 'done') continue;
    const error = ev.result.error;
    if (error || requiredName) {
      const [, message, opts] = error ? openaiErrorBody(error) : [502, notCalled(requiredName!), { type: 'server_error', code: 'tool_choice_not_honoured' }];
      yield { data: { error: { message, type: opts.type ?? 'server_error', param: null, code: opts.code ?? null } } };
      return;
    }
    yield chunk({}, 'stop');
    if (includeUsage) yield { data: { ...meta, object: 'chat.completion.chunk', system_fingerprint: null, choices: [], usage: openAiUsage(ev.result.usage) } };
  }
  yield { data: '[DONE]' };
}
