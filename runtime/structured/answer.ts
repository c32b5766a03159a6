// The text side of structured output: the JSON inside an answer, and what we tell an agent that must
// answer in JSON (backends without a schema flag) or that answered JSON that does not match.

/** A whole answer that is one fenced block: ```json … ``` (or ``` … ```). */
const FENCED = /^```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

export type Extracted = { ok: true; json: string; value: unknown } | { ok: false; reason: string };

const parse = (text: string): Extracted => {
  try {
    return { ok: true, json: text, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, reason: `the answer is not valid JSON (${(e as Error).message})` };
  }
};

/**
 * The JSON of an answer: the answer itself, the inside of a code fence around it, or else the span
 * from the first `{`/`[` to the last `}`/`]` (an agent that said a sentence before its JSON). The
 * returned `json` is that text, trimmed: what the caller gets as the answer.
 */
export function extractJson(answer: string): Extracted {
  const text = answer.trim();
  if (text === '') return { ok: false, reason: 'the answer is empty' };
  const whole = parse(FENCED.exec(text)?.[1]?.trim() ?? text);
  if (whole.ok) return whole;
  const fence = /```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)```/.exec(text);
  if (fence?.[1] && parse(fence[1].trim()).ok) return parse(fence[1].trim());
  const start = text.search(/[{[]/);
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
  if (start >= 0 && end > start) {
    const inner = parse(text.slice(start, end + 1));
    if (inner.ok) return inner;
  }
  return whole;
}

const schemaText = (schema: Record<string, unknown>) => JSON.stringify(schema, null, 2);

/** For backends with no schema flag (gemini): the instruction goes after the prompt. */
export function withSchemaInstruction(prompt: string, schema: Record<string, unknown>): string {
  return `${prompt}\n\nAnswer with a single JSON value that matches this JSON Schema, and nothing else: no prose, no code fences.\n${schemaText(schema)}`;
}

/** The repair turn: what was wrong, and the schema again. */
export function repairPrompt(problems: string[], schema: Record<string, unknown>): string {
  const list = problems.slice(0, 20).map((p) => `- ${p}`).join('\n');
  return `Your last answer does not match the required JSON Schema:\n${list}\n\nAnswer again with only the corrected JSON value (no prose, no code fences), matching this JSON Schema:\n${schemaText(schema)}`;
}

/** The repair turn for a run without a session to continue: the first prompt, the answer, what was wrong. */
export function repairPromptFresh(prompt: string, answer: string, problems: string[], schema: Record<string, unknown>): string {
  return `${prompt}\n\nA previous answer to this was:\n${answer.slice(0, 8000)}\n\n${repairPrompt(problems, schema)}`;
}
