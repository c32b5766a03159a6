// Response bodies of the REST API and the system routes, for /openapi.json (ARCHITECTURE rule 2).
// They describe what runtime/wire.ts and the routes produce; handlers/schemas/requests.ts has the requests.
import { z } from 'zod';

export const usageSchema = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cached_tokens: z.number().int(),
  reasoning_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export const runErrorSchema = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });

export const runResultSchema = z
  .object({
    session_id: z.string().nullable().describe('null for ephemeral and dry runs'),
    backend: z.string(),
    backend_session_id: z.string().nullable(),
    model: z.string().nullable(),
    exit_code: z.number().int().describe('0 on success'),
    duration_ms: z.number(),
    output: z.string(),
    token_usage: usageSchema,
    cost_usd: z.number().nullable().describe('null when the backend reports no cost'),
    warnings: z.array(z.string()).describe('[] when there is nothing to say'),
    error: runErrorSchema.nullable().describe('null on success; set when the run failed (the HTTP status is still 200)'),
    command: z
      .object({ binary: z.string(), args: z.array(z.string()), cwd: z.string(), stdin_bytes: z.number().int().optional().describe('set when the prompt would go on stdin') })
      .nullable()
      .describe('dry runs only; null otherwise'),
  })
  .describe('The result of one run: every key is always present, null when it has no value');

export const streamEventSchema = z
  .object({
    type: z.enum(['init', 'message', 'tool_use', 'tool_result', 'warning', 'error', 'done']),
    backend: z.string(),
    session_id: z.string().optional(),
    content: z.record(z.string(), z.unknown()),
  })
  .describe('One line of the stream-json NDJSON stream (SPEC §2)');

export const sessionSchema = z.object({
  id: z.string(),
  backend: z.string(),
  created_at: z.string(),
  last_used: z.string(),
  working_dir: z.string(),
  backend_session_id: z.string().optional(),
  model: z.string().optional(),
  initial_prompt: z.string(),
  status: z.enum(['active', 'completed', 'error', 'paused']),
  turn_count: z.number().int(),
  token_usage: usageSchema,
  cost_usd: z.number().optional(),
  tags: z.array(z.string()),
  title: z.string(),
  parent_id: z.string().optional(),
  error_message: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
});

export const sessionListSchema = z.object({ sessions: z.array(sessionSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
export const sessionDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });

export const backendSchema = z.object({
  name: z.string(),
  available: z.boolean(),
  enabled: z.boolean(),
  version: z.string().optional(),
  default_model: z.string().optional(),
  warm: z.boolean().optional().describe('Turns run on live agents kept between turns (this server keeps the backend process alive)'),
  reason: z.string().optional().describe('Why it is not available'),
});
export const backendListSchema = z.object({ backends: z.array(backendSchema) });

/** One entry of the results of parallel / chain / compare (loose: the orchestrator may add fields). */
const orchestratedResultSchema = z.looseObject({
  backend: z.string().optional(),
  name: z.string().optional(),
  exit_code: z.number().int().optional(),
  duration_ms: z.number().optional(),
  output: z.string().optional(),
  session_id: z.string().nullish(),
  error: z.union([runErrorSchema, z.string()]).nullish(),
});

export const parallelResponseSchema = z.looseObject({
  total_tasks: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  total_duration_ms: z.number(),
  results: z.array(orchestratedResultSchema),
});

export const chainResponseSchema = z.looseObject({
  total_steps: z.number().int(),
  completed_steps: z.number().int(),
  failed_step: z.number().int().nullish().describe('1-based step that failed, if any'),
  total_duration_ms: z.number(),
  results: z.array(orchestratedResultSchema.extend({ step: z.number().int().optional() })),
});

export const compareResponseSchema = z.looseObject({
  prompt: z.string(),
  backends: z.array(z.string()),
  total_duration_ms: z.number(),
  results: z.array(orchestratedResultSchema),
  skipped: z.array(z.object({ backend: z.string(), reason: z.string() })).optional().describe('Backends left out (not installed or disabled)'),
});

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'unhealthy']),
  version: z.string(),
  uptime: z.string().describe('Human readable, e.g. 1h2m3s'),
  uptime_millis: z.number().int(),
  backends: z.array(z.object({ name: z.string(), available: z.boolean(), enabled: z.boolean(), version: z.string().optional() })),
  session_store: z.object({ available: z.boolean(), session_count: z.number().int(), error: z.string().optional() }),
  runs: z.object({ in_flight: z.number().int(), queued: z.number().int(), max: z.number().int() }),
  runners: z
    .array(z.object({ name: z.string(), state: z.enum(['up', 'down']), checked_secs_ago: z.number().int().optional(), reason: z.string().optional() }))
    .optional()
    .describe('On the edge (the Worker) only: its runners by name and whether each is up'),
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('clinvk error code, e.g. INVALID_INPUT'),
    hint: z.string().optional(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
  })
  .describe('RFC 7807 problem details');
