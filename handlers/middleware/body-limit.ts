// Request bodies over server.max_request_body_bytes get 413: at once from Content-Length, and for
// chunked bodies (no length) while reading, stopping at the limit instead of buffering the excess.
import type { Middleware } from './context.ts';
import { errorResponse } from '../errors.ts';

const tooLarge = (surface: Parameters<typeof errorResponse>[0], max: number) =>
  errorResponse(surface, 413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${max} bytes (server.max_request_body_bytes)`, { connection: 'close' });

/** Reads a body of unknown length; undefined when it passes `max`. */
async function readLimited(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export const bodyLimit = (max: number): Middleware => async (ctx, next) => {
  const { req } = ctx;
  if (req.body === null) return next();
  const declared = req.headers.get('content-length');
  if (declared !== null) {
    if (!/^\d+$/.test(declared.trim())) return errorResponse(ctx.surface, 400, 'INVALID_INPUT', `Content-Length "${declared.slice(0, 40)}" is not a number`);
    if (Number(declared) > max) return tooLarge(ctx.surface, max);
    return next();
  }
  const bytes = await readLimited(req.body, max);
  if (bytes === undefined) return tooLarge(ctx.surface, max);
  ctx.req = new Request(req.url, { method: req.method, headers: req.headers, body: bytes, signal: req.signal });
  return next();
};
