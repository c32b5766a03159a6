// RFC 7807 problem details, the error body of /api/v1 (SPEC §6). The `code` member carries the
// clinvk error code, so programs (and the Worker's remote runtime) can branch on it.

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemExtras {
  hint?: string;
  instance?: string;
  [member: string]: unknown;
}

export const problemType = (code: string) => `urn:clinvk:problem:${code.toLowerCase().replace(/_/g, '-')}`;

export function problemBody(status: number, code: string, detail: string, extras: ProblemExtras = {}) {
  const body: Record<string, unknown> = { type: problemType(code), title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Error'), status, detail, code };
  for (const [k, v] of Object.entries(extras)) if (v !== undefined) body[k] = v;
  return body;
}

export function problem(status: number, code: string, detail: string, extras: ProblemExtras = {}, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problemBody(status, code, detail, extras)), {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}
