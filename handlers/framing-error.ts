// Requests Node's HTTP parser refuses before any Request exists (a malformed request line, headers
// over the limit, a request that took too long to arrive). Node would answer them with a bare status;
// here the body is in the error format of the surface the path names, so an SDK still gets an error
// it can parse. Pure: the Node server (runtime/node/server.ts) turns the Response into bytes.
import { errorResponse, statusOf, surfaceOf, type HttpErrorCode } from './errors.ts';

export type FramingErrorCode = Extract<HttpErrorCode, 'BAD_REQUEST' | 'REQUEST_TIMEOUT' | 'HEADERS_TOO_LARGE' | 'PAYLOAD_TOO_LARGE'>;

const MESSAGES: Record<FramingErrorCode, string> = {
  BAD_REQUEST: 'the request is not valid HTTP',
  REQUEST_TIMEOUT: 'the request did not arrive in time (server.read_timeout_secs)',
  HEADERS_TOO_LARGE: 'the request headers are too large',
  PAYLOAD_TOO_LARGE: 'a chunk extension of the request body is too large',
};

/** `path` is the request target when the request line could be read far enough; else plain JSON. */
export function framingErrorResponse(code: FramingErrorCode, path: string | undefined, requestId: string): Response {
  const status = statusOf(code);
  const message = MESSAGES[code];
  const headers = { connection: 'close', 'x-request-id': requestId };
  if (path === undefined || !path.startsWith('/')) return Response.json({ error: { code, message, request_id: requestId } }, { status, headers });
  return errorResponse(surfaceOf(path.split('?')[0]!), status, code, message, headers, { requestId });
}
