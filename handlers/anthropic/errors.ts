// Anthropic's error dialect: `{"type":"error","error":{"type","message"}}` with its status codes,
// so the official SDK raises its typed errors.
import type { z } from 'zod';
import type { RunError } from '../../runtime/contract.ts';
import { httpStatusFor } from '../http-status.ts';

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
};

export const anthropicErrorType = (status: number) => TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');

export function anthropicError(status: number, message: string, type = anthropicErrorType(status), headers: Record<string, string> = {}): Response {
  return Response.json({ type: 'error', error: { type, message } }, { status, headers });
}

/** A run's failure as (status, message, type, headers): anthropicError's arguments, or an in-stream `error` event. */
export function anthropicErrorBody(err: RunError): [number, string, string, Record<string, string>] {
  const status = httpStatusFor(err.code);
  const message = err.hint ? `${err.message} (${err.hint})` : err.message;
  const headers: Record<string, string> = err.retryAfterSeconds !== undefined ? { 'retry-after': String(Math.ceil(err.retryAfterSeconds)) } : {};
  return [status, message, anthropicErrorType(status), headers];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

export async function parseAnthropicBody<S extends z.ZodType>(req: Request, schema: S): Promise<Parsed<z.infer<S>>> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    return { ok: false, response: anthropicError(400, 'the request body is not valid JSON') };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return { ok: false, response: anthropicError(400, path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message) };
}
