// JSON Schema checking with Ajv (+ ajv-formats): is a requested output schema a JSON Schema at all,
// and does an answer match it. Pure (no node:*), but Ajv compiles each schema to a function with
// `new Function`, which workerd forbids: only the engine loads this file (lazily, see ./run.ts), and
// the engine runs on Node. A Worker forwards runs to a Node runner, which checks there.
import * as ajvDraft7 from 'ajv';
import * as ajv2019 from 'ajv/dist/2019.js';
import * as ajv2020 from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

// Each is a CommonJS module whose `module.exports` is the class (and `.default` too): take whichever
// the loader (Node ESM, esbuild CJS, vitest) handed over.
type AjvClass = new (opts: Record<string, unknown>) => {
  validateSchema(schema: unknown): boolean | Promise<unknown>;
  compile(schema: unknown): ValidateFunction;
  errorsText(errors?: ErrorObject[] | null): string;
  errors?: ErrorObject[] | null;
};
const cls = (m: unknown): AjvClass => {
  const d = (m as { default?: unknown }).default;
  return (typeof d === 'function' ? d : (d as { default?: unknown })?.default ?? m) as AjvClass;
};
const addFormats = cls(ajvFormats) as unknown as (ajv: unknown) => void;

/** Which meta-schema a schema declares; none = 2020-12 (what OpenAI and Anthropic document). */
function ajvFor(schema: Record<string, unknown>): AjvClass {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/draft-0[67]\b/.test(declared)) return cls(ajvDraft7);
  if (/2019-09/.test(declared)) return cls(ajv2019);
  return cls(ajv2020);
}

export interface SchemaMismatch {
  /** JSON Pointer of the value that does not match ('' = the whole answer). */
  path: string;
  message: string;
}

export interface OutputChecker {
  /** Every mismatch of `value` (empty when it matches). */
  check(value: unknown): SchemaMismatch[];
}

/** `/age must be number`, `(root) must have required property 'name'`. */
export const describeMismatch = (m: SchemaMismatch): string => `${m.path || '(root)'} ${m.message}`;

const mismatches = (errors: ErrorObject[] | null | undefined): SchemaMismatch[] =>
  (errors ?? []).map((e) => {
    // additionalProperties names the extra key only in params; say it, it is what the model must drop.
    const extra = e.keyword === 'additionalProperties' ? ` ('${String((e.params as { additionalProperty?: unknown }).additionalProperty)}')` : '';
    return { path: e.instancePath, message: `${e.message ?? 'does not match'}${extra}` };
  });

/**
 * Compiles a requested output schema. Throws an Error whose message names the problem when it is not a
 * JSON Schema (bad keyword value, unresolvable $ref, unknown meta-schema…).
 */
export function compileOutputSchema(schema: Record<string, unknown>): OutputChecker {
  // strict: false: schemas from SDKs carry keywords Ajv does not know (OpenAI `strict`, titles on refs…);
  // they are annotations, not errors. The meta-schema check below still refuses malformed keywords.
  const Ajv = ajvFor(schema);
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(ajv);
  if (!ajv.validateSchema(schema)) throw new Error(ajv.errorsText(ajv.errors).replace(/(^|, )data/g, '$1schema'));
  const validate = ajv.compile(schema);
  return {
    check(value) {
      return validate(value) ? [] : mismatches(validate.errors);
    },
  };
}
