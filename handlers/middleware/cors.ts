// CORS written out by hand (itty-router's corsify has lost statuses in some releases, STACK.md):
// preflights are answered here, before auth (browsers send them without credentials), and the
// headers go on every response, errors included.
import type { Middleware } from './context.ts';
import { withHeaders } from './context.ts';
import { errorResponse } from '../errors.ts';

export interface CorsOptions {
  /** Allowed origins; empty = local origins only; `*` = any. */
  origins: string[];
  credentials: boolean;
  maxAgeSeconds: number;
}

const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOW_HEADERS = [
  'content-type', 'authorization', 'x-api-key', 'x-request-id', 'accept', 'last-event-id',
  'anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access',
  'mcp-session-id', 'mcp-protocol-version', 'openai-organization', 'openai-project', 'openai-beta',
  'x-clinvk-reuse-session',
];
/** Families of headers the official SDKs send, echoed back when a preflight asks for them. */
const ALLOW_HEADER_FAMILIES = /^(x-stainless-[a-z0-9-]+|openai-[a-z0-9-]+|anthropic-[a-z0-9-]+|mcp-[a-z0-9-]+)$/;
const EXPOSE_HEADERS = 'x-request-id, mcp-session-id, retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A page served by this server itself (Origin and Host name the same host) is not cross-site. */
function sameHost(origin: string, url: URL): boolean {
  try {
    return new URL(origin).host === url.host;
  } catch {
    return false;
  }
}

export function originAllowed(origin: string, allowed: string[]): boolean {
  if (allowed.length === 0) return LOCAL_ORIGIN.test(origin);
  return allowed.includes('*') || allowed.includes(origin);
}

function allowHeaders(requested: string | null): string {
  const extra = (requested ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h && !ALLOW_HEADERS.includes(h) && ALLOW_HEADER_FAMILIES.test(h));
  return [...ALLOW_HEADERS, ...extra].join(', ');
}

export const cors = (opts: CorsOptions): Middleware => {
  const anyOrigin = opts.origins.includes('*') && !opts.credentials;
  const originHeaders = (origin: string): Record<string, string> => ({
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    ...(opts.credentials ? { 'access-control-allow-credentials': 'true' } : {}),
  });
  return async (ctx, next) => {
    const origin = ctx.req.headers.get('origin');
    const allowed = origin !== null && originAllowed(origin, opts.origins);
    if (ctx.req.method === 'OPTIONS' && ctx.req.headers.has('access-control-request-method')) {
      ctx.route = 'preflight';
      const headers: Record<string, string> = { vary: 'Origin, Access-Control-Request-Headers' };
      if (allowed) {
        Object.assign(headers, originHeaders(origin), {
          'access-control-allow-methods': ALLOW_METHODS,
          'access-control-allow-headers': allowHeaders(ctx.req.headers.get('access-control-request-headers')),
          'access-control-max-age': String(opts.maxAgeSeconds),
        });
      }
      return new Response(null, { status: 204, headers });
    }
    // CORS only hides the answer: a page on another site could still *send* a simple request
    // (text/plain or form POST, no preflight) and start an agent run. Browsers always send Origin
    // with those, so a state-changing request from an origin CORS refuses is refused here too.
    if (origin !== null && !allowed && !SAFE_METHODS.has(ctx.req.method) && !sameHost(origin, ctx.url)) {
      ctx.route = 'cross-origin';
      return withHeaders(errorResponse(ctx.surface, 403, 'FORBIDDEN', `requests from origin ${origin.slice(0, 200)} are not allowed (server.cors_allowed_origins)`), { vary: 'Origin' });
    }
    const res = await next();
    if (!allowed) return origin === null ? res : withHeaders(res, { vary: 'Origin' });
    return withHeaders(res, { ...originHeaders(origin), 'access-control-expose-headers': EXPOSE_HEADERS, vary: 'Origin' });
  };
};
