// The pure parts of structured output and effort: the JSON inside an answer, the schema check's
// messages, each backend's argv, claude's structured_output, and each door's mapping of its own fields.
import { describe, expect, it } from 'vitest';
import { claude } from '../../../runtime/backends/claude.ts';
import { createClaudeParser } from '../../../runtime/backends/claude-parser.ts';
import { codex } from '../../../runtime/backends/codex.ts';
import { gemini } from '../../../runtime/backends/gemini.ts';
import type { ArgvRequest } from '../../../runtime/backends/types.ts';
import { extractJson, withSchemaInstruction } from '../../../runtime/structured/answer.ts';
import { compileOutputSchema, describeMismatch } from '../../../runtime/structured/schema-check.ts';
import { anthropicRunOptions, thinkingEffort } from '../../../handlers/anthropic/structured.ts';
import { chatOutputSchema, openAiEffort, textOutputSchema } from '../../../handlers/openai/structured.ts';
import { feed } from '../backends/samples.ts';

describe('extractJson', () => {
  it('takes the answer, a fenced answer, or the JSON inside words', () => {
    expect(extractJson(' {"a":1}\n')).toMatchObject({ ok: true, json: '{"a":1}', value: { a: 1 } });
    expect(extractJson('```json\n{"a": 1}\n```')).toMatchObject({ ok: true, json: '{"a": 1}' });
    expect(extractJson('```\n[1,2]\n```')).toMatchObject({ ok: true, value: [1, 2] });
    expect(extractJson('Here it is:\n```json\n{"a":2}\n```\nDone.')).toMatchObject({ ok: true, value: { a: 2 } });
    expect(extractJson('Sure! {"a":3} hope that helps')).toMatchObject({ ok: true, json: '{"a":3}' });
    expect(extractJson('"just a string"')).toMatchObject({ ok: true, value: 'just a string' });
  });
  it('says why there is no JSON', () => {
    expect(extractJson('   ')).toEqual({ ok: false, reason: 'the answer is empty' });
    expect(extractJson('no json here')).toMatchObject({ ok: false, reason: expect.stringMatching(/^the answer is not valid JSON/) });
  });
  it('the prompt instruction ends with the schema, pretty-printed', () => {
    expect(withSchemaInstruction('Q', { type: 'object' })).toBe('Q\n\nAnswer with a single JSON value that matches this JSON Schema, and nothing else: no prose, no code fences.\n{\n  "type": "object"\n}');
  });
});

describe('compileOutputSchema', () => {
  const c = compileOutputSchema({ type: 'object', properties: { age: { type: 'integer' }, mail: { type: 'string', format: 'email' } }, required: ['age'], additionalProperties: false });
  it('lists every mismatch with its path', () => {
    expect(c.check({ age: 3 })).toEqual([]);
    expect(c.check({ age: 'x', mail: 'nope', extra: 1 }).map(describeMismatch)).toEqual([
      "(root) must NOT have additional properties ('extra')",
      '/age must be integer',
      '/mail must match format "email"',
    ]);
  });
  it('follows the draft that $schema names (draft-07 definitions)', () => {
    const d7 = compileOutputSchema({ $schema: 'http://json-schema.org/draft-07/schema#', definitions: { n: { type: 'number' } }, properties: { n: { $ref: '#/definitions/n' } } });
    expect(d7.check({ n: 'x' }).map(describeMismatch)).toEqual(['/n must be number']);
  });
  it('refuses what is not a JSON Schema, naming the problem', () => {
    expect(() => compileOutputSchema({ type: 'object', required: 'name' })).toThrow('schema/required must be array');
    expect(() => compileOutputSchema({ $ref: '#/$defs/none' })).toThrow("can't resolve reference #/$defs/none");
  });
});

describe('argv', () => {
  const base: ArgvRequest = { prompt: 'hi', workdir: '/w', approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false };
  const schema = { type: 'object' };
  it('claude: --effort and --json-schema <json>, before --', () => {
    expect(claude.buildArgs({ ...base, effort: 'max', outputSchema: schema }).args.slice(-6)).toEqual(['--effort', 'max', '--json-schema', '{"type":"object"}', '--', 'hi']);
  });
  it('codex: -c model_reasoning_effort and --output-schema FILE, on exec and on exec resume', () => {
    const fresh = codex.buildArgs({ ...base, effort: 'max', outputSchema: schema, outputSchemaFile: '/tmp/x/output-schema.json' }).args;
    expect(fresh).toEqual(expect.arrayContaining(['-c', 'model_reasoning_effort="xhigh"', '--output-schema', '/tmp/x/output-schema.json']));
    const resumed = codex.buildArgs({ ...base, effort: 'low', outputSchema: schema, outputSchemaFile: '/f', resumeId: 'abc' }).args;
    expect(resumed.slice(0, 3)).toEqual(['exec', 'resume', '--json']);
    expect(resumed).toEqual(expect.arrayContaining(['model_reasoning_effort="low"', '--output-schema', '/f']));
  });
  it('gemini: no flag, a warning for the effort', () => {
    const built = gemini.buildArgs({ ...base, effort: 'high' });
    expect(built.args).not.toContain('--effort');
    expect(built.warnings).toEqual(['gemini has no reasoning effort setting; effort "high" was ignored']);
  });
});

describe('claude structured_output', () => {
  it('is the answer, replacing the words around the StructuredOutput call', () => {
    const lines = [
      { type: 'system', subtype: 'init', session_id: 's1', model: 'm' },
      { type: 'result', subtype: 'success', is_error: false, session_id: 's1', result: '{"a":5}', structured_output: { a: 5 }, usage: { input_tokens: 1, output_tokens: 2, output_tokens_details: { thinking_tokens: 7 } } },
    ];
    const events = feed(createClaudeParser('stream-json'), lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(events).toContainEqual({ kind: 'final', text: '{"a":5}', structured: true });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'usage', usage: expect.objectContaining({ reasoningTokens: 7 }) }));
  });
});

describe('door mappings', () => {
  it('OpenAI: response_format, text.format and reasoning effort', () => {
    expect(chatOutputSchema({ type: 'json_schema', json_schema: { name: 'x', schema: { type: 'array' } } })).toEqual({ type: 'array' });
    expect(chatOutputSchema({ type: 'json_object' })).toEqual({ type: 'object' });
    expect(chatOutputSchema({ type: 'text' })).toBeUndefined();
    expect(textOutputSchema({ type: 'json_schema', name: 'x', schema: { type: 'string' } })).toEqual({ type: 'string' });
    expect(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'].map((e) => openAiEffort(e as never))).toEqual(['low', 'low', 'low', 'medium', 'high', 'max', 'max']);
  });
  it('Anthropic: thinking budget thresholds, output_config over output_format and over thinking', () => {
    expect([1024, 3999, 4000, 15_999, 16_000, 31_999, 32_000, 100_000].map(thinkingEffort)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high', 'max', 'max']);
    expect(anthropicRunOptions({ thinking: { type: 'enabled', budget_tokens: 20_000 } })).toEqual({ effort: 'high' });
    expect(anthropicRunOptions({ thinking: { type: 'enabled', budget_tokens: 20_000 }, output_config: { effort: 'xhigh' } })).toEqual({ effort: 'max' });
    expect(anthropicRunOptions({ thinking: { type: 'adaptive' } })).toEqual({});
    const a = { type: 'json_schema' as const, schema: { type: 'object' } };
    const b = { type: 'json_schema' as const, schema: { type: 'array' } };
    expect(anthropicRunOptions({ output_format: a, output_config: { format: b } })).toEqual({ outputSchema: { type: 'array' } });
    expect(anthropicRunOptions({ output_format: a })).toEqual({ outputSchema: { type: 'object' } });
  });
});
