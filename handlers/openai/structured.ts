// Structured output and reasoning effort as the OpenAI APIs ask for them: chat `response_format` and
// `reasoning_effort`, Responses `text.format` and `reasoning.effort`. Each maps to the Invocation's
// `outputSchema` / `effort`; the engine checks the schema itself (a bad one is a 400 from there).
import { z } from 'zod';
import type { Effort } from '../../runtime/contract.ts';

const jsonSchemaObject = z.record(z.string(), z.unknown());

/** Chat Completions `response_format`. */
export const responseFormatSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: jsonSchemaObject.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** Responses `text.format`: the same, with the json_schema fields one level up. */
export const textFormatSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({ type: z.literal('json_schema'), name: z.string().min(1).max(64), schema: jsonSchemaObject, strict: z.boolean().nullish(), description: z.string().optional() }),
]);

/** Every level OpenAI documents, and our `max`. */
export const reasoningEffortSchema = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);

/** `none`/`minimal` → low (the least the backends have), `xhigh` → max. */
const EFFORT: Record<z.infer<typeof reasoningEffortSchema>, Effort> = { none: 'low', minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'max', max: 'max' };

export const openAiEffort = (e: z.infer<typeof reasoningEffortSchema> | null | undefined): Effort | undefined => (e ? EFFORT[e] : undefined);

/** json_object = any JSON object; json_schema without a schema = any JSON value; text = no schema. */
export function chatOutputSchema(f: z.infer<typeof responseFormatSchema> | null | undefined): Record<string, unknown> | undefined {
  if (!f || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'object' };
  return f.json_schema.schema ?? {};
}

export function textOutputSchema(f: z.infer<typeof textFormatSchema> | null | undefined): Record<string, unknown> | undefined {
  if (!f || f.type === 'text') return undefined;
  return f.type === 'json_object' ? { type: 'object' } : f.schema;
}
