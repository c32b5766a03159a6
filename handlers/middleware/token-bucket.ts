// A token bucket per key (contract RateLimiter): `burst` tokens, refilled at `rps` per second.
// Idle buckets are dropped so a stream of new client addresses cannot grow memory without bound.
import type { RateLimiter } from '../../runtime/contract.ts';

export interface TokenBucketOptions {
  rps: number;
  burst: number;
  now?: () => number;
  maxKeys?: number;
}

export function createTokenBuckets(opts: TokenBucketOptions): RateLimiter & { readonly size: number } {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (b: { tokens: number; at: number }, t: number) => {
    b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.rps);
    b.at = t;
  };
  const prune = (t: number) => {
    for (const [k, b] of buckets) {
      refill(b, t);
      if (b.tokens >= opts.burst) buckets.delete(k);
    }
    // Still too many active clients: forget the oldest (a Map iterates in insertion order).
    for (const k of buckets.keys()) {
      if (buckets.size <= maxKeys) break;
      buckets.delete(k);
    }
  };
  return {
    get size() {
      return buckets.size;
    },
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) prune(t);
        b = { tokens: opts.burst, at: t };
        buckets.set(key, b);
      }
      refill(b, t);
      const ok = b.tokens >= 1;
      if (ok) b.tokens -= 1;
      const missing = opts.burst - b.tokens;
      return {
        ok,
        limit: opts.burst,
        remaining: Math.floor(b.tokens),
        resetSeconds: Math.ceil(missing / opts.rps),
        retryAfterSeconds: ok ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / opts.rps)),
      };
    },
  };
}
