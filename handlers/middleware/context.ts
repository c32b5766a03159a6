// The per-request context the middleware chain passes inward, and the onion composition itself:
// each middleware gets the context and `next`, so it can act before and after the rest of the chain.
import type { Logger } from '../../runtime/contract.ts';
import type { Surface } from '../errors.ts';

export interface Ctx {
  /** The request as the routes see it (the body-limit middleware may replace it with a buffered copy). */
  req: Request;
  url: URL;
  surface: Surface;
  requestId: string;
  /** The socket peer's address as the server saw it. */
  peer: string;
  /** The client's address: the peer, or what a trusted proxy says. */
  clientIp: string;
  /** Aborted when the client goes away or the request times out; runs use it. */
  signal: AbortSignal;
  startedAt: number;
  log: Logger;
  /** Set after routing: the matched route pattern (for logs and metrics, never the raw path). */
  route?: string;
  /** Set by the credential check: index of the matched API key, or -1 when none matched. */
  keyIndex?: number;
}

export type Next = () => Promise<Response>;
export type Middleware = (ctx: Ctx, next: Next) => Promise<Response>;

export function compose(middleware: Middleware[], end: (ctx: Ctx) => Promise<Response>): (ctx: Ctx) => Promise<Response> {
  return (ctx) => {
    const step = (i: number): Promise<Response> => {
      const mw = middleware[i];
      return mw ? mw(ctx, () => step(i + 1)) : end(ctx);
    };
    return step(0);
  };
}

/** Headers added to a response; responses with immutable headers (e.g. from fetch) are copied first. */
export function withHeaders(res: Response, headers: Record<string, string>): Response {
  const entries = Object.entries(headers);
  if (entries.length === 0) return res;
  try {
    for (const [k, v] of entries) res.headers.set(k, v);
    return res;
  } catch {
    const copy = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
    for (const [k, v] of entries) copy.headers.set(k, v);
    return copy;
  }
}

/**
 * Paths that answer without an API key: probes and scrapers, and the console's static page (it holds
 * no data; it asks for a key when the APIs it calls answer 401).
 */
export const isOpenPath = (pathname: string) =>
  pathname === '/health' || pathname === '/metrics' || pathname === '/' || pathname.startsWith('/console/');
