// API key auth when keys are configured (CLINVK_API_KEYS / CLINVK_API_KEYS_FILE). /health and
// /metrics stay open for probes and scrapers.
import type { Middleware } from './context.ts';
import { isOpenPath } from './context.ts';
import { errorResponse } from '../errors.ts';
import { keyIndexOf } from './rate-limit.ts';

export const auth = (check: (k: string | undefined) => Promise<number>): Middleware => async (ctx, next) => {
  if (isOpenPath(ctx.url.pathname)) return next();
  if ((await keyIndexOf(ctx, check)) >= 0) return next();
  return errorResponse(ctx.surface, 401, 'UNAUTHORIZED', 'a valid API key is required: send `Authorization: Bearer <key>` or `X-Api-Key: <key>`', {
    'www-authenticate': 'Bearer realm="clinvk"',
  });
};
