// OpenAI request bodies we accept. Fields we cannot honour (temperature, tools, …) are accepted
// and ignored (loose objects), as clients send them by default.
import { z } from 'zod';
import type { ChatTurn } from '../compat/conversation.ts';
import { attachmentPlaceholder, attachmentsOf } from '../compat/attachment-parts.ts';
import { reasoningEffortSchema, responseFormatSchema } from './structured.ts';

const textPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const content = z.union([z.string(), z.array(textPart), z.null()]).optional();

export const chatMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content,
  name: z.string().optional(),
  tool_call_id: z.string().optional(),
});

/** Per-request clinvk options, in the body (`"clinvk": {…}`) since SDKs pass unknown fields through. */
export const clinvkOptionsSchema = z
  .looseObject({
    reuse_session: z.boolean().optional(),
    workdir: z.string().min(1).max(4096).optional(),
    session_id: z.string().min(1).max(128).optional(),
  })
  .optional();

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is required').max(200),
  messages: z.array(chatMessageSchema).min(1, 'messages must contain at least one message').max(10_000),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.number().int().min(1).nullish(),
  max_tokens: z.number().int().min(0).nullish(),
  max_completion_tokens: z.number().int().min(0).nullish(),
  user: z.string().optional(),
  response_format: responseFormatSchema.nullish(),
  reasoning_effort: reasoningEffortSchema.nullish(),
  clinvk: clinvkOptionsSchema,
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

type MessageContent = z.infer<typeof chatMessageSchema>['content'];

/** A message's text: a string as is; content parts joined (text parts only; others noted). */
export function contentText(c: MessageContent): string {
  if (c == null) return '';
  if (typeof c === 'string') return c;
  return c
    .map((p) => (typeof p.text === 'string' ? p.text : (attachmentPlaceholder(p) ?? `[${p.type} content omitted]`)))
    .join('\n');
}

const ROLE: Record<z.infer<typeof chatMessageSchema>['role'], ChatTurn['role']> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
  function: 'tool',
};

export function chatTurns(messages: z.infer<typeof chatMessageSchema>[]): ChatTurn[] {
  return messages.map((m) => {
    const turn: ChatTurn = { role: ROLE[m.role], text: contentText(m.content) };
    if (m.name && turn.role === 'tool') turn.name = m.name;
    const attachments = attachmentsOf(m.content);
    if (attachments.length) turn.attachments = attachments;
    return turn;
  });
}
