// Structured output and reasoning effort on the real CLIs, through the built clinvk: each new argv
// (claude --json-schema and --effort; codex --output-schema FILE and -c model_reasoning_effort, also on
// `exec resume`) is accepted, reaches the model API as the CLI's own request field, and the answer comes
// back as the schema's JSON. gemini has neither flag: the schema rides in the prompt.
import { describe, expect } from 'vitest';
import { clinvk, itNeeds, realSandbox } from './harness.ts';

const schema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'], additionalProperties: false };
const answer = { city: 'Paris', population: 2100000 };
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the CLI sent

describe('structured output and effort on the real CLIs', () => {
  const ctx = realSandbox();

  itNeeds('claude')('claude: --json-schema and --effort; the StructuredOutput tool call is the answer', async () => {
    const before = ctx.mocks.anthropic.requests.length;
    const r = await clinvk(['-b', 'claude', '-o', 'json', '--json-schema', JSON.stringify(schema), '--effort', 'high', `CALL_TOOL:StructuredOutput ${JSON.stringify(answer)}`], ctx.sb);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { content: string; warnings: string[] };
    expect(JSON.parse(json.content)).toEqual(answer);
    const body = ctx.mocks.anthropic.requests.slice(before).map((q) => q.body as Body).find((b) => Array.isArray(b.tools))!;
    expect(body.output_config?.effort).toBe('high');
    expect(body.tools.find((t: Body) => t.name === 'StructuredOutput')?.input_schema).toEqual(schema);
  });

  itNeeds('codex')('codex: --output-schema FILE and model_reasoning_effort reach the Responses request, also on exec resume', async () => {
    const before = ctx.mocks.responses.requests.length;
    // The mock answers words, not JSON: clinvk asks once more (exec resume, same flags), then fails the run.
    const r = await clinvk(['-b', 'codex', '-o', 'json', '--json-schema', JSON.stringify(schema), '--effort', 'max', 'Hi ECHO:codexjson'], ctx.sb);
    const json = JSON.parse(r.stdout) as { error: { code: string } | null };
    expect(json.error?.code, r.stderr).toBe('OUTPUT_SCHEMA_MISMATCH');
    const bodies = ctx.mocks.responses.requests.slice(before).map((q) => q.body as Body).filter((b) => b.input);
    expect(bodies).toHaveLength(2);
    for (const b of bodies) {
      expect(b.text?.format?.type).toBe('json_schema');
      expect(b.text?.format?.schema).toMatchObject({ properties: schema.properties, required: schema.required });
      expect(b.reasoning?.effort).toBe('xhigh');
    }
    const ok = await clinvk(['-b', 'codex', '-o', 'json', '--json-schema', JSON.stringify(schema), `ANSWER:${JSON.stringify(answer)}`], ctx.sb);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse((JSON.parse(ok.stdout) as { content: string }).content)).toEqual(answer);
  });

  itNeeds('gemini')('gemini: the schema in the prompt, the answer checked; effort is a warning', async () => {
    const before = ctx.mocks.gemini.requests.length;
    const r = await clinvk(['-b', 'gemini', '-o', 'json', '--json-schema', JSON.stringify(schema), '--effort', 'low', `ANSWER:${JSON.stringify(answer)}`], ctx.sb);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { content: string; warnings: string[] };
    expect(JSON.parse(json.content)).toEqual(answer);
    expect(json.warnings).toContain('gemini has no reasoning effort setting; effort "low" was ignored');
    const sent = JSON.stringify(ctx.mocks.gemini.requests.slice(before).map((q) => q.body));
    expect(sent).toContain('Answer with a single JSON value that matches this JSON Schema');
  });
});
