// Any exception becomes a response in the surface's own error format. The client gets a message
// and the request id, never a stack; the log gets the whole error.
import type { Ctx, Middleware } from './context.ts';
import { thrownToResponse } from '../errors.ts';

export function failure(ctx: Ctx, err: unknown): Response {
  const { response, internal } = thrownToResponse(ctx.surface, err, { requestId: ctx.requestId, instance: ctx.url.pathname });
  if (internal) ctx.log.error({ err, method: ctx.req.method, route: ctx.route ?? 'unmatched' }, 'request failed with an unexpected error');
  return response;
}

export const recovery = (): Middleware => async (ctx, next) => {
  try {
    return await next();
  } catch (err) {
    return failure(ctx, err);
  }
};
