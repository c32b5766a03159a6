// Newline-delimited JSON streams (the REST `stream-json` output): one event per line, flushed as it
// happens. While the backend is silent a `{"type":"heartbeat"}` line goes out, so idle proxies and
// clients keep the stream (readers that do not know the type skip it).
import { streamResponse } from './sse.ts';

export const NDJSON_HEADERS = {
  'content-type': 'application/x-ndjson; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

const encoder = new TextEncoder();

export function ndjsonResponse(values: AsyncIterable<unknown>, opts: { heartbeatMs?: number; headers?: Record<string, string> } = {}): Response {
  async function* lines() {
    for await (const v of values) yield encoder.encode(`${JSON.stringify(v)}\n`);
  }
  const heartbeat = encoder.encode('{"type":"heartbeat"}\n');
  return streamResponse(lines(), { heartbeatMs: opts.heartbeatMs ?? 0, heartbeat: () => heartbeat, headers: { ...NDJSON_HEADERS, ...opts.headers } });
}
