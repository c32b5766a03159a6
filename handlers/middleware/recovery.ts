// Any exception becomes a response in the surface's own error format. The client gets a message
// and the request id, never a stack nor an error's `detail` (paths on this machine); the log gets those,
// under the same request id.
import type { Logger } from '../../runtime/contract.ts';
import { isClinvkError } from '../../runtime/contract.ts';
import type { Ctx, Middleware } from './context.ts';
import { thrownToResponse } from '../errors.ts';

/** The log side of an error a caller is told about: the detail the answer leaves out. */
export function logDetail(log: Logger, err: unknown): void {
  if (isClinvkError(err) && err.detail) log.warn({ code: err.code, detail: err.detail }, err.message);
}

export function failure(ctx: Ctx, err: unknown): Response {
  const { response, internal } = thrownToResponse(ctx.surface, err, { requestId: ctx.requestId, instance: ctx.url.pathname });
  if (internal) ctx.log.error({ err, method: ctx.req.method, route: ctx.route ?? 'unmatched' }, 'request failed with an unexpected error');
  else logDetail(ctx.log, err);
  return response;
}

export const recovery = (): Middleware => async (ctx, next) => {
  try {
    return await next();
  } catch (err) {
    return failure(ctx, err);
  }
};
