// One log line and the request metrics per request, labelled by route pattern (`/api/v1/sessions/:id`),
// never by raw path, so neither the log index nor the metrics grow with every id. Headers (and so
// keys) are never logged. For streams the time is time to the response head.
import type { Metrics } from '../../runtime/contract.ts';
import type { Middleware } from './context.ts';

export const UNMATCHED_ROUTE = 'unmatched';

export const requestLog = (metrics: Metrics, now: () => number): Middleware => async (ctx, next) => {
  let status = 500;
  try {
    const res = await next();
    status = res.status;
    return res;
  } finally {
    const ms = now() - ctx.startedAt;
    const method = ctx.req.method;
    const route = ctx.route ?? UNMATCHED_ROUTE;
    ctx.log.info({ method, route, status, ms, ip: ctx.clientIp }, `${method} ${route} ${status} ${ms}ms`);
    metrics.inc('clinvk_requests_total', { method, route, status: String(status) });
    metrics.observe('clinvk_request_duration_seconds', ms / 1000, { method, route });
  }
};
