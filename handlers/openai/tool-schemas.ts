// OpenAI function tools, the tool_choice forms, and the tool results of a chat history, checked at the
// edge (the chat and Responses schemas accept any `tools` loosely; a run with tools validates them here).
import { z } from 'zod';
import type { ClientTool, ClientTools } from '../../runtime/contract.ts';

/** The names OpenAI accepts for a function (and every CLI can use as an MCP tool name). */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const name = z.string().regex(TOOL_NAME, 'a tool name is 1-64 letters, digits, underscores or dashes');
const parameters = z.record(z.string(), z.unknown()).nullish();

export const chatToolSchema = z.looseObject({
  type: z.literal('function', 'only tools of type "function" can be offered to an agent'),
  function: z.looseObject({ name, description: z.string().nullish(), parameters }),
});
/** The Responses API's flat form. */
export const responsesToolSchema = z.looseObject({
  type: z.literal('function', 'only tools of type "function" can be offered to an agent'),
  name,
  description: z.string().nullish(),
  parameters,
});

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
  z.looseObject({ type: z.literal('function'), name: z.string() }),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

export const clientTool = (t: { name: string; description?: string | null | undefined; parameters?: Record<string, unknown> | null | undefined }): ClientTool => ({
  name: t.name,
  ...(t.description ? { description: t.description } : {}),
  inputSchema: t.parameters ?? { type: 'object', properties: {} },
});

/** tool_choice → the engine's form; `none` → undefined (no tools offered). */
export function clientChoice(choice: ToolChoice | undefined): ClientTools['choice'] | 'none' {
  if (choice === undefined || choice === 'auto') return 'auto';
  if (choice === 'none' || choice === 'required') return choice;
  const named = choice as { function?: { name: string }; name?: string };
  return { name: named.function?.name ?? named.name ?? '' };
}

/** Parse `value` with `schema`, or a message naming the first bad field under `param`. */
export function checkField<T>(schema: z.ZodType<T>, value: unknown, param: string): { ok: true; value: T } | { ok: false; message: string; param: string } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const path = [param, ...issue.path.map(String)].join('.');
  return { ok: false, message: `${path}: ${issue.message}`, param };
}
