// Request input → validated values. A bad body or query is the caller's mistake: a ClinvkError
// INVALID_INPUT (400) that names the field, never a 500.
import type { z } from 'zod';
import { ClinvkError } from '../../runtime/contract.ts';

function invalid(error: z.ZodError, where: string): ClinvkError {
  const issues = error.issues.map((i) => ({ field: i.path.map(String).join('.') || where, message: i.message }));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new ClinvkError('INVALID_INPUT', `${first.field}: ${first.message}${more}`, { details: { issues } });
}

export async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new ClinvkError('INVALID_INPUT', 'the request body is not valid JSON', { hint: 'send a JSON object with `content-type: application/json`' });
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw invalid(r.error, 'body');
  return r.data;
}

export function parseQuery<S extends z.ZodType>(url: URL, schema: S): z.infer<S> {
  const r = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!r.success) throw invalid(r.error, 'query');
  return r.data;
}

/** A path parameter, percent-decoded; malformed escapes (`%E0%A4%A`, `%ZZ`) are the caller's mistake, not a 500. */
export function pathParam(raw: unknown, name = 'id'): string {
  const s = String(raw);
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ClinvkError('INVALID_INPUT', `${name}: "${s.slice(0, 80)}" is not valid percent-encoding`);
  }
}
