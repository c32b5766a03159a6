// One place that renders an error in the dialect of the surface the request came to: RFC 7807 on
// /api/v1 (and everything that is not a vendor surface), OpenAI's `{"error":{…}}` on /openai,
// Anthropic's `{"type":"error",…}` on /anthropic, so each official SDK raises its typed error even
// for failures the middleware produces (401, 403, 413, 429) before the surface sees the request.
// /mcp answers in JSON-RPC, as the MCP SDK's own transport does for the errors it produces.
import { isClinvkError, type ErrorCode } from '../runtime/contract.ts';
import { anthropicError } from './anthropic/errors.ts';
import { httpStatusFor } from './http-status.ts';
import { openaiError } from './openai/errors.ts';
import { problem } from './problem.ts';

export type Surface = 'rest' | 'openai' | 'anthropic' | 'mcp';

/** Codes only the HTTP layer produces, next to the engine's ErrorCode list. */
export type HttpErrorCode = ErrorCode | 'UNAUTHORIZED' | 'FORBIDDEN' | 'PAYLOAD_TOO_LARGE' | 'RATE_LIMITED' | 'NOT_FOUND' | 'BAD_REQUEST' | 'REQUEST_TIMEOUT' | 'HEADERS_TOO_LARGE';

const HTTP_ONLY: Record<Exclude<HttpErrorCode, ErrorCode>, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  NOT_FOUND: 404,
  // Framing errors, answered before a Request exists (framing-error.ts).
  BAD_REQUEST: 400,
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
};

/** The HTTP status of any code (the engine's table lives in http-status.ts). */
export const statusOf = (code: HttpErrorCode): number =>
  code in HTTP_ONLY ? HTTP_ONLY[code as keyof typeof HTTP_ONLY] : httpStatusFor(code as ErrorCode);

const PREFIXES: [string, Surface][] = [
  ['/openai/', 'openai'],
  ['/anthropic/', 'anthropic'],
];

export const surfaceOf = (pathname: string): Surface =>
  pathname === '/mcp' || pathname.startsWith('/mcp/') ? 'mcp' : (PREFIXES.find(([p]) => pathname.startsWith(p))?.[1] ?? 'rest');

/** JSON-RPC's "server error" range: the code MCP's transport uses for the HTTP-level failures. */
const JSONRPC_SERVER_ERROR = -32000;

export interface ErrorExtras {
  hint?: string;
  instance?: string;
  requestId?: string;
}

export function errorResponse(
  surface: Surface,
  status: number,
  code: HttpErrorCode,
  message: string,
  extraHeaders: Record<string, string> = {},
  extras: ErrorExtras = {},
): Response {
  switch (surface) {
    case 'openai':
      return openaiError(status, extras.hint ? `${message} (${extras.hint})` : message, { code: code.toLowerCase(), headers: extraHeaders });
    case 'anthropic':
      return anthropicError(status, extras.hint ? `${message} (${extras.hint})` : message, undefined, extraHeaders);
    case 'mcp': {
      const data = { code, ...(extras.hint ? { hint: extras.hint } : {}), ...(extras.requestId ? { request_id: extras.requestId } : {}) };
      return Response.json({ jsonrpc: '2.0', error: { code: JSONRPC_SERVER_ERROR, message, data }, id: null }, { status, headers: extraHeaders });
    }
    default:
      return problem(status, code, message, { hint: extras.hint, instance: extras.instance, request_id: extras.requestId }, extraHeaders);
  }
}

/**
 * A thrown error as a response: a ClinvkError is the caller's (or the backend's) problem and keeps
 * its message; anything else is a bug and gets a generic 500 that names only the request id.
 */
export function thrownToResponse(surface: Surface, err: unknown, extras: ErrorExtras = {}): { response: Response; internal: boolean } {
  if (isClinvkError(err)) {
    const headers: Record<string, string> = {};
    const retry = err.details?.retryAfterSeconds;
    if (typeof retry === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(retry)));
    const hint = err.hint ?? extras.hint;
    return { response: errorResponse(surface, statusOf(err.code), err.code, err.message, headers, { ...extras, ...(hint ? { hint } : {}) }), internal: false };
  }
  const id = extras.requestId ? ` (request id ${extras.requestId})` : '';
  return { response: errorResponse(surface, 500, 'INTERNAL', `internal error: the server failed to handle the request${id}`, {}, extras), internal: true };
}
