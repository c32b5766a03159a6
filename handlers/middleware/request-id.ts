// X-Request-Id: a caller's id is kept when it is sane (so logs can be joined across services),
// otherwise one is minted; either way it is echoed on every response.
import type { Middleware } from './context.ts';
import { withHeaders } from './context.ts';

const SANE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export const requestIdOf = (header: string | null): string => (header && SANE.test(header) ? header : crypto.randomUUID());

export const requestId = (): Middleware => async (ctx, next) => {
  ctx.requestId = requestIdOf(ctx.req.headers.get('x-request-id'));
  ctx.log = ctx.log.child({ request_id: ctx.requestId });
  return withHeaders(await next(), { 'x-request-id': ctx.requestId });
};
