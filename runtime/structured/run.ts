// Structured output around the engine's run: the agent answers, clinvk checks the answer against the
// requested JSON Schema, asks the same session once to fix an answer that does not match (the
// mismatches in the prompt), and otherwise fails the run with OUTPUT_SCHEMA_MISMATCH. The answer text
// is the JSON alone, sent as one `text` event at the end: a half-streamed answer could not be taken back.
import { ClinvkError, type Invocation, type RunEvent, type RunResult } from '../contract.ts';
import { exitCodeFor } from '../../cli/exit-codes.ts';
import { extractJson, repairPrompt, repairPromptFresh } from './answer.ts';
import type { OutputChecker } from './schema-check.ts';

type RunFn = (inv: Invocation, signal?: AbortSignal) => AsyncIterable<RunEvent>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Compiles the schema, or throws INVALID_INPUT naming what is wrong with it (before anything starts).
 * Ajv is loaded on first use only: a run without a schema never pays for it.
 */
export async function outputChecker(schema: unknown): Promise<OutputChecker> {
  if (!isObject(schema)) throw new ClinvkError('INVALID_INPUT', 'the output schema must be a JSON object (a JSON Schema)');
  const { compileOutputSchema } = await import('./schema-check.ts');
  try {
    return compileOutputSchema(schema);
  } catch (e) {
    throw new ClinvkError('INVALID_INPUT', `the output schema is not a valid JSON Schema: ${(e as Error).message}`, {
      hint: 'check the schema against JSON Schema 2020-12 (or the draft its $schema names)',
    });
  }
}

/** What is wrong with an answer: [] when its JSON matches. */
function judge(output: string, checker: OutputChecker): { json?: string; problems: string[] } {
  const extracted = extractJson(output);
  if (!extracted.ok) return { problems: [extracted.reason] };
  const problems = checker.check(extracted.value).map((m) => `${m.path || '(root)'} ${m.message}`);
  return problems.length === 0 ? { json: extracted.json, problems } : { problems };
}

/** Passes every event of one run on but its text (held back) and its `done` (returned). */
async function* withheld(events: AsyncIterable<RunEvent>, forwardInit: boolean): AsyncGenerator<RunEvent, RunResult> {
  for await (const ev of events) {
    if (ev.type === 'done') return ev.result;
    if (ev.type === 'text' || (ev.type === 'init' && !forwardInit)) continue;
    yield ev;
  }
  throw new ClinvkError('INTERNAL', 'the run ended without a result');
}

const sum = (a: number | undefined, b: number | undefined) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));

function merged(first: RunResult, second: RunResult, warning: string): RunResult {
  const u1 = first.usage;
  const u2 = second.usage;
  const out: RunResult = {
    ...second,
    durationMs: first.durationMs + second.durationMs,
    usage: {
      inputTokens: u1.inputTokens + u2.inputTokens,
      outputTokens: u1.outputTokens + u2.outputTokens,
      cachedTokens: u1.cachedTokens + u2.cachedTokens,
      reasoningTokens: u1.reasoningTokens + u2.reasoningTokens,
    },
    warnings: [...first.warnings, warning, ...second.warnings],
  };
  const cost = sum(first.costUsd, second.costUsd);
  if (cost !== undefined) out.costUsd = cost;
  if (!second.sessionId && first.sessionId) out.sessionId = first.sessionId;
  return out;
}

function* answered(result: RunResult, json: string): Generator<RunEvent> {
  yield { type: 'text', text: json };
  yield { type: 'done', result: { ...result, output: json } };
}

/** `markFailed`: records the final mismatch in the run's session, which its last turn recorded as completed. */
export async function* structuredRun(inv: Invocation, signal: AbortSignal | undefined, run: RunFn, markFailed?: (sessionId: string, message: string) => Promise<void>): AsyncGenerator<RunEvent> {
  const schema = inv.outputSchema as Record<string, unknown>;
  const checker = await outputChecker(schema);
  if (inv.dryRun) return yield* run(inv, signal);

  const first = yield* withheld(run(inv, signal), true);
  if (first.error) return yield { type: 'done', result: first };
  const verdict = judge(first.output, checker);
  if (verdict.json !== undefined) return yield* answered(first, verdict.json);

  // One repair turn, in the same session when there is one (the agent sees its own answer there).
  const warning = `the answer did not match the output schema (${verdict.problems[0]}); ${first.backend} was asked once to fix it`;
  yield { type: 'warning', message: warning };
  const { title: _t, parentId: _p, ...rest } = inv;
  const repair: Invocation = first.sessionId
    ? { ...rest, sessionId: first.sessionId, prompt: repairPrompt(verdict.problems, schema) }
    : { ...rest, prompt: repairPromptFresh(inv.prompt, first.output, verdict.problems, schema) };
  const second = merged(first, yield* withheld(run(repair, signal), false), warning);
  if (second.error) return yield { type: 'done', result: second };
  const again = judge(second.output, checker);
  if (again.json !== undefined) return yield* answered(second, again.json);

  const more = again.problems.length > 1 ? ` (and ${again.problems.length - 1} more)` : '';
  const result: RunResult = {
    ...second,
    exitCode: exitCodeFor('OUTPUT_SCHEMA_MISMATCH'),
    error: {
      code: 'OUTPUT_SCHEMA_MISMATCH',
      message: `the answer does not match the output schema, even after one repair turn: ${again.problems[0]}${more}`,
      hint: 'say in the prompt what each field must hold, or loosen the schema',
    },
  };
  if (result.sessionId) await markFailed?.(result.sessionId, result.error!.message);
  yield { type: 'done', result };
}
