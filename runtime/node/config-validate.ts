// Checking a config file's data against the schema, with one line per problem naming file and key.
// Loaded only when there is a file (or a `config set`) to check.
import type * as z from 'zod/mini';
import { ClinvkError } from '../contract.ts';
import { configSchema, type Config } from '../config.ts';

export function validate(path: string, raw: unknown): Config {
  const r = configSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new ClinvkError('CONFIG_INVALID', formatIssues(path, r.error.issues), { hint: 'see `clinvk config show` for the valid keys' });
}

function formatIssues(path: string, issues: z.core.$ZodIssue[]): string {
  return issues
    .flatMap((i) => {
      const at = i.path.map(String);
      if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${path}: ${[...at, k].join('.')}: unknown key`);
      return [`${path}: ${at.join('.') || '(top level)'}: ${i.message}`];
    })
    .join('\n');
}
