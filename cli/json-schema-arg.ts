// `--json-schema FILE|JSON` (and a task file's `output_schema` given as a string): inline JSON when it
// starts with `{`, else a file to read. Either way a JSON object; the engine checks it is a JSON Schema.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ClinvkError } from '../runtime/contract.ts';

export function jsonSchemaArg(value: string, where = '--json-schema', cwd = process.cwd()): Record<string, unknown> {
  const inline = value.trimStart().startsWith('{');
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(resolve(cwd, value), 'utf8');
    } catch (e) {
      throw new ClinvkError('INVALID_INPUT', `${where}: cannot read ${value} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        hint: 'pass a JSON Schema file, or the schema itself as JSON starting with {',
      });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ClinvkError('INVALID_INPUT', `${where}: ${inline ? 'the schema' : value} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ClinvkError('INVALID_INPUT', `${where}: a JSON Schema must be a JSON object`);
  return parsed as Record<string, unknown>;
}
