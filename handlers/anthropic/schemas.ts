// Anthropic Messages request bodies we accept. Fields that mean nothing for a CLI backend are
// accepted and ignored (loose objects): temperature, tools (with defer_loading), thinking (but for an
// enabled budget, which maps to an effort: structured.ts), context_management, cache_control on
// any block, metadata; beta headers and `?beta=true` are not looked at. Claude Code sends all of them.
import { z } from 'zod';
import type { ChatTurn } from '../compat/conversation.ts';
import { attachmentPlaceholder, attachmentsOf } from '../compat/attachment-parts.ts';
import { jsonOutputFormatSchema, outputConfigSchema, thinkingSchema } from './structured.ts';

const block = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
});
const content = z.union([z.string(), z.array(block)]);

export const anthropicMessageSchema = z.looseObject({
  // Claude Code 2.1.33x ends `messages` with a `system` entry (environment, tool names, date).
  role: z.enum(['user', 'assistant', 'system']),
  content,
});

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1, 'model: Field required').max(200),
  messages: z.array(anthropicMessageSchema).min(1, 'messages: at least one message is required').max(10_000),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  max_tokens: z.number().int().min(1).optional(),
  stream: z.boolean().optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  output_format: jsonOutputFormatSchema.nullish(),
  output_config: outputConfigSchema.nullish(),
  thinking: thinkingSchema.nullish(),
  clinvk: z
    .looseObject({ reuse_session: z.boolean().optional(), workdir: z.string().min(1).max(4096).optional(), session_id: z.string().min(1).max(128).optional() })
    .optional(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

export const countTokensRequestSchema = messagesRequestSchema.omit({ max_tokens: true, stream: true });

type Block = z.infer<typeof block>;

function blockText(b: Block): string {
  if (b.type === 'text') return b.text ?? '';
  if (b.type === 'tool_use') return `[tool call ${b.name ?? ''}: ${JSON.stringify(b.input ?? {})}]`;
  if (b.type === 'tool_result') {
    if (typeof b.content === 'string') return b.content;
    return (b.content ?? []).map((c) => c.text ?? '').join('\n');
  }
  return attachmentPlaceholder(b) ?? `[${b.type} content omitted]`;
}

const text = (c: z.infer<typeof content>) => (typeof c === 'string' ? c : c.map(blockText).join('\n'));

/**
 * System (string or blocks) first, then the `role: "system"` entries of `messages` wherever they
 * stand (they join the system prompt, in order), then the conversation, as neutral chat turns.
 * Keeping every system turn ahead of the conversation lets the next request of the same client,
 * which repeats the same system entry after a longer history, be recognised as a continuation.
 */
export function messagesTurns(body: Pick<MessagesRequest, 'system' | 'messages'>): ChatTurn[] {
  const turns: ChatTurn[] = [];
  if (body.system !== undefined) {
    const s = typeof body.system === 'string' ? body.system : body.system.map((b) => b.text ?? '').join('\n');
    if (s.trim()) turns.push({ role: 'system', text: s });
  }
  for (const m of body.messages) if (m.role === 'system' && text(m.content).trim()) turns.push({ role: 'system', text: text(m.content) });
  for (const m of body.messages) {
    if (m.role === 'system') continue;
    const attachments = attachmentsOf(m.content); // image and document blocks
    turns.push({ role: m.role, text: text(m.content), ...(attachments.length ? { attachments } : {}) });
  }
  return turns;
}
