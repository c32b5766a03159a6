// The one path from a compatible-API chat request to an engine run, shared by the OpenAI chat,
// OpenAI Responses and Anthropic Messages surfaces: route the model, plan the conversation
// (fold or resume), start the run, and remember the answer for the next turn.
import { ClinvkError, type Invocation, type RunEvent, type Runtime } from '../../runtime/contract.ts';
import { planConversation, rememberAnswer, type ChatTurn, type ConversationMemory } from './conversation.ts';
import { resolveModelTarget, type ModelTarget } from './model-routing.ts';
import { startRun } from './start-run.ts';
import type { ToolTurns } from './tool-turns.ts';

export interface ChatRunContext {
  runtime: Pick<Runtime, 'run'>;
  backendNames: readonly string[];
  defaultBackend: string;
  conversations?: ConversationMemory;
  /** Runs waiting on the caller's own tools (absent: function tools are refused). */
  toolTurns?: ToolTurns;
}

export interface ChatRunRequest {
  model: string;
  turns: ChatTurn[];
  /** false = always fold the whole history (per-request opt-out). */
  reuseSession: boolean;
  workdir?: string;
  /** Resume this clinvk session explicitly (e.g. Responses `previous_response_id`). */
  sessionId?: string;
  maxTokens?: number;
  metadata?: Record<string, string>;
  /** Structured output and effort, as each surface's own fields ask for them (openai/structured.ts, anthropic/structured.ts). */
  outputSchema?: Record<string, unknown>;
  effort?: Invocation['effort'];
  clientTools?: Invocation['clientTools'];
}

export interface StartedChatRun {
  target: ModelTarget;
  events: AsyncIterable<RunEvent>;
  resumed: boolean;
}

export function routeModel(ctx: ChatRunContext, model: string): ModelTarget {
  const target = resolveModelTarget(model, ctx.backendNames, ctx.defaultBackend);
  if (target.unknown) {
    throw new ClinvkError('UNKNOWN_BACKEND', `The model \`${model}\` does not exist: "${target.backend}" is not a backend (choose one of: ${ctx.backendNames.join(', ')})`, {
      details: { param: 'model', notFound: true },
    });
  }
  return target;
}

export async function startChatRun(ctx: ChatRunContext, req: ChatRunRequest, signal?: AbortSignal): Promise<StartedChatRun> {
  const target = routeModel(ctx, req.model);
  const cache = req.reuseSession ? ctx.conversations : undefined;
  const plan = req.sessionId ? { ...planWithoutCache(req.turns), resumeSessionId: req.sessionId } : await planConversation(cache, target, req.turns);
  if (!plan.prompt.trim()) throw new ClinvkError('INVALID_INPUT', 'the conversation has no text to send: add a user message with text content');
  const inv: Invocation = { backend: target.backend, prompt: plan.prompt };
  if (target.model) inv.model = target.model;
  if (plan.systemPrompt && !plan.resumeSessionId) inv.systemPrompt = plan.systemPrompt;
  if (plan.resumeSessionId) inv.sessionId = plan.resumeSessionId;
  if (req.workdir) inv.workdir = req.workdir;
  if (req.maxTokens) inv.maxTokens = req.maxTokens;
  if (req.metadata) inv.metadata = req.metadata;
  const attachments = sentAttachments(req.turns, !!plan.resumeSessionId);
  if (attachments.length) inv.attachments = attachments;
  if (req.outputSchema) inv.outputSchema = req.outputSchema;
  if (req.effort) inv.effort = req.effort;
  if (req.clientTools) inv.clientTools = req.clientTools;
  const events = await startRun(ctx.runtime, inv, signal);
  return { target, events: remembering(events, ctx.conversations, target, req.turns), resumed: !!plan.resumeSessionId };
}

/** The attachments of the turns this run sends: all of a folded history, only the new turns of a resumed one. */
function sentAttachments(turns: ChatTurn[], resumed: boolean) {
  const last = resumed ? turns.findLastIndex((t) => t.role === 'assistant') : -1;
  return turns.slice(last + 1).flatMap((t) => t.attachments ?? []);
}

/** With an explicit session, only the turns after the last assistant turn are new. */
function planWithoutCache(turns: ChatTurn[]) {
  let last = -1;
  turns.forEach((t, i) => {
    if (t.role === 'assistant') last = i;
  });
  const after = turns.slice(last + 1).filter((t) => t.role !== 'system');
  return { prompt: after.map((t) => t.text).join('\n\n') };
}

async function* remembering(
  events: AsyncIterable<RunEvent>,
  cache: ConversationMemory | undefined,
  target: ModelTarget,
  turns: ChatTurn[],
): AsyncIterable<RunEvent> {
  for await (const ev of events) {
    if (ev.type === 'done' && !ev.result.error) await rememberAnswer(cache, target, turns, ev.result.output, ev.result.sessionId);
    yield ev;
  }
}
