// OpenAI Responses API request body (the subset an agent gateway can honour; the rest is ignored).
import { z } from 'zod';
import type { ChatTurn } from '../compat/conversation.ts';
import { clinvkOptionsSchema } from './schemas.ts';
import { attachmentPlaceholder, attachmentsOf } from '../compat/attachment-parts.ts';
import { reasoningEffortSchema, textFormatSchema } from './structured.ts';

const part = z.looseObject({ type: z.string(), text: z.string().optional(), output: z.string().optional() });
const item = z.looseObject({
  type: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
  content: z.union([z.string(), z.array(part)]).optional(),
  output: z.string().optional(),
});

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is required').max(200),
  input: z.union([z.string().min(1, 'input must not be empty'), z.array(item).min(1, 'input must contain at least one item')]),
  instructions: z.string().nullish(),
  stream: z.boolean().nullish(),
  previous_response_id: z.string().min(1).max(200).nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  text: z.looseObject({ format: textFormatSchema.nullish() }).nullish(),
  reasoning: z.looseObject({ effort: reasoningEffortSchema.nullish() }).nullish(),
  clinvk: clinvkOptionsSchema,
});
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

const ROLE = { user: 'user', assistant: 'assistant', system: 'system', developer: 'system' } as const;

function itemText(i: z.infer<typeof item>): string {
  if (typeof i.content === 'string') return i.content;
  if (i.content) return i.content.map((p) => p.text ?? p.output ?? attachmentPlaceholder(p) ?? `[${p.type} content omitted]`).join('\n');
  return i.output ?? '';
}

/** `instructions` first (as system), then the input items as chat turns. */
export function responsesTurns(body: Pick<ResponsesRequest, 'instructions' | 'input'>): ChatTurn[] {
  const turns: ChatTurn[] = [];
  if (body.instructions) turns.push({ role: 'system', text: body.instructions });
  if (typeof body.input === 'string') return [...turns, { role: 'user', text: body.input }];
  for (const i of body.input) {
    if (i.type === 'function_call_output') turns.push({ role: 'tool', text: itemText(i) });
    else if (i.role) {
      const attachments = attachmentsOf(i.content); // input_image / input_file parts
      turns.push({ role: ROLE[i.role], text: itemText(i), ...(attachments.length ? { attachments } : {}) });
    }
  }
  return turns;
}
