// OpenAI's error dialect: `{"error":{"message","type","param","code"}}` with OpenAI's status codes,
// so the official SDK raises its typed errors (BadRequestError, AuthenticationError, …).
import type { z } from 'zod';
import type { RunError } from '../../runtime/contract.ts';
import { httpStatusFor } from '../http-status.ts';

export interface OpenAiErrorOptions {
  type?: string;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'server_error',
  504: 'server_error',
};

export function openaiError(status: number, message: string, opts: OpenAiErrorOptions = {}): Response {
  const error = {
    message,
    type: opts.type ?? TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
    param: opts.param ?? null,
    code: opts.code ?? null,
  };
  return Response.json({ error }, { status, headers: opts.headers ?? {} });
}

/** A run's failure as (status, message, options) for openaiError or an in-stream error frame. */
export function openaiErrorBody(err: RunError): [number, string, OpenAiErrorOptions] {
  const status = httpStatusFor(err.code);
  const message = err.hint ? `${err.message} (${err.hint})` : err.message;
  const opts: OpenAiErrorOptions = { code: err.code.toLowerCase() };
  if (err.retryAfterSeconds !== undefined) opts.headers = { 'retry-after': String(Math.ceil(err.retryAfterSeconds)) };
  return [status, message, opts];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** Read and validate a JSON body; bad JSON or a schema problem is a 400 naming the field. */
export async function parseOpenAiBody<S extends z.ZodType>(req: Request, schema: S): Promise<Parsed<z.infer<S>>> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    return { ok: false, response: openaiError(400, 'the request body is not valid JSON', { code: 'invalid_json' }) };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const param = issue.path.map(String).join('.') || null;
  return { ok: false, response: openaiError(400, param ? `${param}: ${issue.message}` : issue.message, { param, code: 'invalid_value' }) };
}
