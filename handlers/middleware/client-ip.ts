// The real client address. X-Forwarded-For / X-Real-IP are believed only when the socket peer is a
// configured trusted proxy; otherwise anyone could pick their own rate-limit bucket.
import type { Middleware } from './context.ts';

/** `::ffff:10.0.0.1` → `10.0.0.1`; brackets and zone ids stripped. */
export function normalizeIp(ip: string): string {
  let s = ip.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(s)) s = s.slice(7);
  return s.toLowerCase();
}

const ipv4ToInt = (ip: string): number | undefined => {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
};

/** An exact address or an IPv4 CIDR (`10.0.0.0/8`). */
export function ipMatches(ip: string, rule: string): boolean {
  const [base, bitsText] = rule.split('/');
  if (bitsText === undefined) return normalizeIp(rule) === ip;
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(normalizeIp(base ?? ''));
  const bits = Number(bitsText);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

export function realClientIp(peer: string, headers: Headers, trusted: string[]): string {
  const isTrusted = (ip: string) => trusted.some((rule) => ipMatches(ip, rule));
  const p = normalizeIp(peer);
  if (!p || !isTrusted(p)) return p || 'unknown';
  // Walk the chain right to left: the first hop that is not one of our proxies is the client.
  const forwarded = (headers.get('x-forwarded-for') ?? '').split(',').map(normalizeIp).filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) if (!isTrusted(forwarded[i]!)) return forwarded[i]!;
  if (forwarded[0]) return forwarded[0];
  const real = headers.get('x-real-ip');
  return real ? normalizeIp(real) : p;
}

export const clientIp = (trusted: string[]): Middleware => async (ctx, next) => {
  ctx.clientIp = realClientIp(ctx.peer, ctx.req.headers, trusted);
  return next();
};
