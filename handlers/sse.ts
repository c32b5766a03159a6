// Server-sent events from an async iterable of frames, with heartbeats while the source is silent
// (proxies and SDKs drop SSE streams that say nothing for long; agent runs stall for minutes).

export type SseFrame = { event?: string; data: unknown } | { comment: string };

export interface SseOptions {
  /** Send a heartbeat after this long without a frame. 0 = never. */
  heartbeatMs?: number;
  /** The heartbeat frame; default an SSE comment line (ignored by every SSE client). */
  heartbeat?: () => SseFrame;
  headers?: Record<string, string>;
  status?: number;
}

const encoder = new TextEncoder();

export function encodeFrame(frame: SseFrame): Uint8Array {
  if ('comment' in frame) return encoder.encode(`: ${frame.comment}\n\n`);
  const data = typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data);
  const event = frame.event ? `event: ${frame.event}\n` : '';
  return encoder.encode(`${event}data: ${data}\n\n`);
}

/**
 * A streaming Response. The source is pulled as fast as it yields; when the client goes away the
 * source's `return()` runs, so generators can clean up (the run itself is aborted by the request signal).
 */
export function streamResponse(
  source: AsyncIterable<Uint8Array>,
  opts: { heartbeatMs?: number; heartbeat?: () => Uint8Array; headers: Record<string, string>; status?: number },
): Response {
  const iterator = source[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastSent = Date.now();
  let closed = false;
  const stop = () => {
    closed = true;
    if (timer !== undefined) clearInterval(timer);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const beat = opts.heartbeat;
      const every = opts.heartbeatMs ?? 0;
      if (beat && every > 0) {
        timer = setInterval(() => {
          if (closed || Date.now() - lastSent < every) return;
          lastSent = Date.now();
          try {
            controller.enqueue(beat());
          } catch {
            stop();
          }
        }, Math.max(50, Math.min(every, 1000)));
      }
      void (async () => {
        try {
          for (;;) {
            const next = await iterator.next();
            if (next.done || closed) break;
            lastSent = Date.now();
            controller.enqueue(next.value);
          }
          if (!closed) controller.close();
        } catch (err) {
          if (!closed) controller.error(err);
        } finally {
          stop();
        }
      })();
    },
    async cancel() {
      stop();
      await iterator.return?.();
    },
  });
  return new Response(body, { status: opts.status ?? 200, headers: opts.headers });
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export function sseResponse(frames: AsyncIterable<SseFrame>, opts: SseOptions = {}): Response {
  async function* encoded() {
    for await (const f of frames) yield encodeFrame(f);
  }
  const heartbeat = opts.heartbeat ?? (() => ({ comment: 'keep-alive' }));
  return streamResponse(encoded(), {
    heartbeatMs: opts.heartbeatMs ?? 0,
    heartbeat: () => encodeFrame(heartbeat()),
    headers: { ...SSE_HEADERS, ...opts.headers },
    ...(opts.status === undefined ? {} : { status: opts.status }),
  });
}
