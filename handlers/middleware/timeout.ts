// server.request_timeout_secs: past it the request's signal aborts, which kills the run it started.
import type { Middleware } from './context.ts';

export const timeout = (ms: number): Middleware => async (ctx, next) => {
  if (ms > 0) ctx.signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ms)]);
  return next();
};
