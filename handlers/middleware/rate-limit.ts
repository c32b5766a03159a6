// Rate limit per API key (when a valid key is presented), else per client address. 429 with
// Retry-After; RateLimit-Limit/Remaining/Reset on every response so clients can pace themselves.
import type { RateLimiter } from '../../runtime/contract.ts';
import type { Ctx, Middleware } from './context.ts';
import { withHeaders } from './context.ts';
import { errorResponse } from '../errors.ts';
import { presentedKey } from './credentials.ts';

/** The credential check is shared with auth, and done once per request. */
export async function keyIndexOf(ctx: Ctx, check: (k: string | undefined) => Promise<number>): Promise<number> {
  ctx.keyIndex ??= await check(presentedKey(ctx.req.headers));
  return ctx.keyIndex;
}

export const rateLimit = (limiter: RateLimiter, check: (k: string | undefined) => Promise<number>): Middleware => async (ctx, next) => {
  const index = await keyIndexOf(ctx, check);
  const r = limiter.take(index >= 0 ? `key:${index}` : `ip:${ctx.clientIp}`);
  const headers = { 'ratelimit-limit': String(r.limit), 'ratelimit-remaining': String(r.remaining), 'ratelimit-reset': String(r.resetSeconds) };
  if (!r.ok) {
    return errorResponse(ctx.surface, 429, 'RATE_LIMITED', `too many requests: the limit is ${r.limit} in a burst; retry in ${r.retryAfterSeconds}s`, {
      ...headers,
      'retry-after': String(r.retryAfterSeconds),
    });
  }
  return withHeaders(await next(), headers);
};
