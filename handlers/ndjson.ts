// Newline-delimited JSON streams (the REST `stream-json` output): one event per line, flushed as it
// happens. Heartbeats are empty lines, which NDJSON readers skip, so idle proxies keep the stream.
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
  const blank = encoder.encode('\n');
  return streamResponse(lines(), { heartbeatMs: opts.heartbeatMs ?? 0, heartbeat: () => blank, headers: { ...NDJSON_HEADERS, ...opts.headers } });
}
