// Structured output and effort as the Anthropic Messages API asks for them: `output_format` (beta)
// or `output_config.format` (`{type: "json_schema", schema}`), `output_config.effort`, and extended
// `thinking` `{type: "enabled", budget_tokens}`, whose budget maps to a level (README, "Reasoning effort").
import { z } from 'zod';
import type { Effort } from '../../runtime/contract.ts';

export const jsonOutputFormatSchema = z.looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) });

export const outputConfigSchema = z.looseObject({
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullish(),
  format: jsonOutputFormatSchema.nullish(),
});

export const thinkingSchema = z.union([
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(0) }),
  z.looseObject({ type: z.string() }), // disabled, adaptive, and whatever comes next: nothing to map
]);

/** budget_tokens below each bound → that level; 32 000 and more → max. */
export const THINKING_BUDGET_LEVELS: [below: number, level: Effort][] = [
  [4_000, 'low'],
  [16_000, 'medium'],
  [32_000, 'high'],
];

export function thinkingEffort(budget: number): Effort {
  return THINKING_BUDGET_LEVELS.find(([below]) => budget < below)?.[1] ?? 'max';
}

type Fields = {
  output_format?: z.infer<typeof jsonOutputFormatSchema> | null | undefined;
  output_config?: z.infer<typeof outputConfigSchema> | null | undefined;
  thinking?: z.infer<typeof thinkingSchema> | null | undefined;
};

/** output_config.format wins over the beta output_format; output_config.effort over a thinking budget. */
export function anthropicRunOptions(body: Fields): { outputSchema?: Record<string, unknown>; effort?: Effort } {
  const out: { outputSchema?: Record<string, unknown>; effort?: Effort } = {};
  const format = body.output_config?.format ?? body.output_format;
  if (format) out.outputSchema = format.schema;
  const level = body.output_config?.effort;
  if (level) out.effort = level === 'xhigh' ? 'max' : level;
  else if (body.thinking?.type === 'enabled') out.effort = thinkingEffort((body.thinking as { budget_tokens: number }).budget_tokens);
  return out;
}
