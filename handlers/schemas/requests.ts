// Request bodies of the REST API (SPEC §6), shared by the HTTP handlers, the MCP tools, the CLI's
// task files and /openapi.json: one schema per shape (ARCHITECTURE.md rule 2).
import { z } from 'zod';
import { APPROVAL_MODES, EFFORTS, type Invocation, SANDBOX_MODES } from '../../runtime/contract.ts';
import { attachmentsField, toAttachments } from './attachments.ts';

/** A run of one prompt: the fields every door accepts (snake_case on the wire). */
export const runFields = {
  backend: z.string().min(1).max(64).optional().describe('Backend: claude, codex or gemini (default from config)'),
  // No length cap here: the engine holds prompts to config max_prompt_bytes (a 413 past it), the body to max_request_body_bytes.
  prompt: z.string().min(1, 'prompt must not be empty').describe('The prompt text (at most max_prompt_bytes, 1 MiB by default, with the system prompt)'),
  model: z.string().min(1).max(200).optional().describe('Model name or alias (fast, balanced, best)'),
  workdir: z.string().min(1).max(4096).optional().describe('Absolute working directory for the backend'),
  session_id: z.string().min(1).max(128).optional().describe('clinvk session id (or unique prefix) to resume'),
  ephemeral: z.boolean().optional().describe('Record no session'),
  approval_mode: z.enum(APPROVAL_MODES).optional(),
  sandbox_mode: z.enum(SANDBOX_MODES).optional(),
  max_tokens: z.number().int().min(0).optional(),
  max_turns: z.number().int().min(0).optional(),
  system_prompt: z.string().optional(),
  allowed_tools: z.array(z.string().min(1).max(200)).max(200).optional(),
  extra: z.array(z.string().max(4096)).max(64).optional().describe('Extra backend flags (allow-listed per backend)'),
  timeout_secs: z.number().min(0).max(86_400).optional().describe('Total timeout for the run'),
  idle_timeout_secs: z.number().min(0).max(86_400).optional().describe('Kill the run after this long without output'),
  dry_run: z.boolean().optional().describe('Report the command, run nothing'),
  verbose: z.boolean().optional(),
  metadata: z.record(z.string().max(200), z.string().max(4096)).optional(),
  attachments: attachmentsField,
  output_schema: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('A JSON Schema the answer must match: the output is then that JSON alone (checked, repaired once, else OUTPUT_SCHEMA_MISMATCH)'),
  effort: z.enum(EFFORTS).optional().describe('Reasoning effort: claude --effort, codex model_reasoning_effort (max = xhigh); gemini has none (a warning)'),
};

export const promptRequestSchema = z
  .object({
    ...runFields,
    output_format: z.enum(['json', 'stream-json', 'text']).optional().describe('stream-json streams NDJSON events'),
  })
  .describe('POST /api/v1/prompt');
export type PromptRequest = z.infer<typeof promptRequestSchema>;

/** A task of `parallel`, a step of `chain`: a run plus an optional name. */
export const taskSchema = z.object({ ...runFields, name: z.string().min(1).max(200).optional() });
export type TaskRequest = z.infer<typeof taskSchema>;

export const parallelRequestSchema = z
  .object({
    tasks: z.array(taskSchema).min(1, 'tasks must not be empty').max(1000),
    max_parallel: z.number().int().min(1, 'max_parallel must be at least 1').max(64).optional(),
    fail_fast: z.boolean().optional(),
    output_dir: z.string().min(1).optional().describe('CLI only: write summary.json and one file per task'),
  })
  .describe('POST /api/v1/parallel');
export type ParallelRequest = z.infer<typeof parallelRequestSchema>;

export const chainRequestSchema = z
  .object({
    steps: z.array(taskSchema).min(1, 'steps must not be empty').max(100),
    stop_on_failure: z.boolean().optional(),
    pass_working_dir: z.boolean().optional(),
  })
  .describe('POST /api/v1/chain; {{previous}} in a prompt is the previous step\'s output, {{step.NAME}} a named step\'s');
export type ChainRequest = z.infer<typeof chainRequestSchema>;

export const compareRequestSchema = z
  .object({
    prompt: runFields.prompt,
    backends: z.array(z.string().min(1).max(64)).min(1).max(16).optional().describe('Default: every available backend'),
    sequential: z.boolean().optional(),
    model: runFields.model,
    workdir: runFields.workdir,
    timeout_secs: runFields.timeout_secs,
    ephemeral: runFields.ephemeral,
    output_schema: runFields.output_schema,
    effort: runFields.effort,
  })
  .describe('POST /api/v1/compare');
export type CompareRequest = z.infer<typeof compareRequestSchema>;

export const sessionListQuerySchema = z.object({
  backend: z.string().min(1).max(64).optional(),
  status: z.enum(['active', 'completed', 'error', 'paused']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

type RunFields = { [K in keyof typeof runFields]?: z.infer<(typeof runFields)[K]> };

/** Wire fields → the engine's Invocation. `defaultBackend` fills a missing backend. */
export function toInvocation(body: RunFields & { prompt: string }, defaultBackend: string): Invocation {
  const inv: Invocation = { backend: body.backend ?? defaultBackend, prompt: body.prompt };
  if (body.model !== undefined) inv.model = body.model;
  if (body.workdir !== undefined) inv.workdir = body.workdir;
  if (body.session_id !== undefined) inv.sessionId = body.session_id;
  if (body.ephemeral !== undefined) inv.ephemeral = body.ephemeral;
  if (body.approval_mode !== undefined) inv.approvalMode = body.approval_mode;
  if (body.sandbox_mode !== undefined) inv.sandboxMode = body.sandbox_mode;
  if (body.max_tokens !== undefined) inv.maxTokens = body.max_tokens;
  if (body.max_turns !== undefined) inv.maxTurns = body.max_turns;
  if (body.system_prompt !== undefined) inv.systemPrompt = body.system_prompt;
  if (body.allowed_tools !== undefined) inv.allowedTools = body.allowed_tools;
  if (body.extra !== undefined) inv.extra = body.extra;
  if (body.timeout_secs !== undefined) inv.timeoutMs = Math.round(body.timeout_secs * 1000);
  if (body.idle_timeout_secs !== undefined) inv.idleTimeoutMs = Math.round(body.idle_timeout_secs * 1000);
  if (body.dry_run !== undefined) inv.dryRun = body.dry_run;
  if (body.metadata !== undefined) inv.metadata = body.metadata;
  if (body.attachments?.length) inv.attachments = toAttachments(body.attachments);
  if (body.output_schema !== undefined) inv.outputSchema = body.output_schema;
  if (body.effort !== undefined) inv.effort = body.effort;
  return inv;
}
