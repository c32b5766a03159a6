// outputSchema of each tool: the structuredContent shapes, which are the same snake_case JSON the
// REST API returns (runtime/wire.ts, the orchestrators' *ToJson). Loose objects: a field added on
// the engine side must not make a client reject a result, so only the fields agents rely on are
// named here.
import { z } from 'zod';
import { doctorReportSchema } from '../../handlers/schemas/doctor.ts';

const usage = z.looseObject({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_tokens: z.number().optional(),
  reasoning_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
});

const runError = z.looseObject({ code: z.string(), message: z.string(), hint: z.string().optional() });

/** Set when an answer was too large for one result: `output` is page `page`; the rest via clinvk_result. */
const pagingFields = {
  run_id: z.string().optional().describe('Set when the answer is paged: pass it to clinvk_result with next_page to read the rest'),
  page: z.number().optional().describe('Which page of the answer `output` holds (paged answers only)'),
  pages: z.number().optional().describe('How many pages the whole answer has (paged answers only)'),
  next_page: z.number().optional().describe('The page to ask clinvk_result for next; absent on the last page'),
};

/** resultToJson(RunResult): one run. */
export const runResultOutput = z.looseObject({
  session_id: z.string().nullable().describe('clinvk session id; pass it as session_id to clinvk_prompt to continue (null: ephemeral)'),
  backend: z.string(),
  backend_session_id: z.string().nullable(),
  model: z.string().nullable(),
  exit_code: z.number(),
  duration_ms: z.number(),
  output: z.string().describe('The answer text'),
  token_usage: usage,
  cost_usd: z.number().nullable(),
  warnings: z.array(z.string()),
  error: runError.nullable().describe('null on success'),
  command: z.looseObject({ binary: z.string(), args: z.array(z.string()), cwd: z.string() }).nullable().describe('dry runs: the command that would run; null otherwise'),
  ...pagingFields,
});

/** One entry of the results of compare / chain / parallel. */
const orchestratedResult = z.looseObject({
  backend: z.string().optional(),
  name: z.string().optional(),
  exit_code: z.number().optional(),
  duration_ms: z.number().optional(),
  output: z.string().optional(),
  session_id: z.string().nullish(),
  error: z.union([runError, z.string()]).nullish(),
});

export const compareOutput = z.looseObject({
  prompt: z.string(),
  backends: z.array(z.string()),
  total_duration_ms: z.number(),
  results: z.array(orchestratedResult),
});

export const chainOutput = z.looseObject({
  total_steps: z.number(),
  completed_steps: z.number(),
  failed_step: z.number().nullish().describe('1-based step that failed, if any'),
  total_duration_ms: z.number(),
  results: z.array(orchestratedResult),
});

export const parallelOutput = z.looseObject({
  total_tasks: z.number(),
  completed: z.number(),
  failed: z.number(),
  total_duration_ms: z.number(),
  results: z.array(orchestratedResult),
});

const backendInfo = z.looseObject({
  name: z.string(),
  available: z.boolean(),
  enabled: z.boolean().optional(),
  version: z.string().optional(),
  default_model: z.string().optional(),
  reason: z.string().optional().describe('why it is not available'),
});
export const backendsOutput = z.object({ backends: z.array(backendInfo), doctor: doctorReportSchema.optional().describe('The checks of `clinvk doctor` (absent on a Worker)') });

const session = z.looseObject({
  id: z.string(),
  backend: z.string(),
  status: z.string(),
  created_at: z.string().optional(),
  last_used: z.string().optional(),
  working_dir: z.string().optional(),
  backend_session_id: z.string().optional(),
  model: z.string().optional(),
  title: z.string().optional(),
  turn_count: z.number().optional(),
});
export const sessionsOutput = z.object({
  sessions: z.array(session).optional().describe('action list'),
  total: z.number().optional(),
  limit: z.number().optional(),
  offset: z.number().optional(),
  session: session.optional().describe('action show'),
  deleted: z.string().optional().describe('action delete: the id removed'),
});
