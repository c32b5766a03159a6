// Serves any fetch handler on node:http (stack-detail §3c): bodies stream both ways, a client
// that goes away aborts the Request's signal (which kills its run), the socket address reaches
// the app as fetch's second argument, and close() shuts down gracefully: stop accepting, let
// requests finish up to a deadline, then abort what is left (their runs' process trees die).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as timer } from 'node:timers';
import type { Logger } from '../contract.ts';

export type FetchHandler = (req: Request, conn: { remoteAddress?: string }) => Promise<Response>;

/** What Node's parser refused, by the status it calls for. */
export type FramingError = 'BAD_REQUEST' | 'REQUEST_TIMEOUT' | 'HEADERS_TOO_LARGE' | 'PAYLOAD_TOO_LARGE';
/** The answer to a request Node's parser refused; `path` when the request line got that far. */
export type FramingErrorHandler = (code: FramingError, path: string | undefined, requestId: string) => Response;

export interface ServeOptions {
  host: string;
  port: number;
  log: Logger;
  /** How long close() lets requests in flight finish before aborting them. Default 10 s. */
  shutdownGraceMs?: number;
  /** Idle keep-alive sockets are closed after this long (server.idle_timeout_secs). */
  keepAliveTimeoutMs?: number;
  /** Time allowed to receive a whole request (server.read_timeout_secs); 0 = none. */
  requestTimeoutMs?: number;
  /** Answers framing errors in the app's own formats; default: plain JSON. */
  framingError?: FramingErrorHandler;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Requests being answered right now. */
  readonly inFlight: number;
  close(): Promise<void>;
}

interface InFlight {
  abort: AbortController;
  finished: Promise<void>;
}

function toRequest(req: IncomingMessage, signal: AbortSignal, fallbackHost: string): Request {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? fallbackHost}`);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1]!);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>; // streamed, not buffered
    init.duplex = 'half';
  }
  return new Request(url, init);
}

async function writeResponse(r: Response, res: ServerResponse): Promise<void> {
  const h: Record<string, string | string[]> = {};
  r.headers.forEach((v, k) => {
    if (k !== 'set-cookie') h[k] = v;
  });
  const cookies = r.headers.getSetCookie();
  if (cookies.length) h['set-cookie'] = cookies;
  if (r.statusText) res.writeHead(r.status, r.statusText, h);
  else res.writeHead(r.status, h);
  if (!r.body) return void res.end();
  res.flushHeaders(); // streams: the head goes out before the first event
  try {
    await pipeline(Readable.fromWeb(r.body as import('node:stream/web').ReadableStream), res);
  } catch {
    res.destroy(); // the client went away (the web stream was cancelled) or the body failed
  }
}

const FRAMING: Record<string, FramingError> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'PAYLOAD_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};
const FRAMING_STATUS: Record<FramingError, string> = {
  BAD_REQUEST: '400 Bad Request',
  REQUEST_TIMEOUT: '408 Request Timeout',
  HEADERS_TOO_LARGE: '431 Request Header Fields Too Large',
  PAYLOAD_TOO_LARGE: '413 Payload Too Large',
};

const plainFramingError: FramingErrorHandler = (code, _path, requestId) =>
  Response.json({ error: { code, message: 'the request could not be read', request_id: requestId } }, { status: Number(FRAMING_STATUS[code].slice(0, 3)) });

/**
 * Node's parser refused the bytes (no 'request' event will come). Node would answer with a bare status
 * line; we answer with a body, then close. The path comes from the raw request line when it has one.
 */
async function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket, opts: ServeOptions): Promise<void> {
  const inResponse = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable || inResponse) return void socket.destroy();
  const code = FRAMING[err.code ?? ''] ?? 'BAD_REQUEST';
  const line = err.rawPacket?.subarray(0, 8192).toString('latin1').split('\r\n', 1)[0] ?? '';
  const path = /^[A-Za-z]+ (\/[^\s]*)/.exec(line)?.[1];
  const requestId = crypto.randomUUID();
  opts.log.debug({ request_id: requestId, code: err.code, framing: code }, 'refused a request Node could not parse');
  const res = (opts.framingError ?? plainFramingError)(code, path, requestId);
  const body = Buffer.from(await res.text());
  const head = [`HTTP/1.1 ${FRAMING_STATUS[code]}`, `content-type: ${res.headers.get('content-type') ?? 'application/json'}`, `content-length: ${body.length}`, `x-request-id: ${requestId}`, 'connection: close'];
  if (socket.writable) socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
  else socket.destroy();
}

export function serve(handler: FetchHandler, opts: ServeOptions): Promise<RunningServer> {
  const inflight = new Set<InFlight>();
  const fallbackHost = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const abort = new AbortController();
    let done!: () => void;
    const entry: InFlight = { abort, finished: new Promise<void>((r) => (done = r)) };
    inflight.add(entry);
    res.once('close', () => {
      // 'close' before the response finished = the client is gone (req 'close' fires as soon as the body is read).
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
      inflight.delete(entry);
      done();
    });
    let request: Request;
    try {
      request = toRequest(req, abort.signal, fallbackHost);
    } catch (err) {
      // The client's fault, not ours: a Host that makes no URL, or a method fetch refuses (TRACE, TRACK).
      const method = (req.method ?? '').toUpperCase();
      const forbidden = method === 'TRACE' || method === 'TRACK' || method === 'CONNECT';
      opts.log.debug({ err, method }, 'refused a request that makes no fetch Request');
      res.writeHead(forbidden ? 405 : 400, { 'content-type': 'text/plain', connection: 'close', ...(forbidden ? { allow: 'GET, POST, PUT, PATCH, DELETE, OPTIONS' } : {}) });
      res.end(forbidden ? 'method not allowed\n' : 'bad request\n');
      return;
    }
    try {
      await writeResponse(await handler(request, { ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}) }), res);
    } catch (err) {
      opts.log.error({ err }, 'the HTTP adapter failed to answer a request');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('request failed\n');
      } else res.destroy();
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    answerClientError(err, socket, opts).catch(() => socket.destroy());
  });
  if (opts.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  if (opts.requestTimeoutMs !== undefined) {
    server.requestTimeout = opts.requestTimeoutMs;
    // Node wants the headers deadline inside the whole-request deadline.
    if (opts.requestTimeoutMs > 0) server.headersTimeout = Math.min(server.headersTimeout, opts.requestTimeoutMs);
  }

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    const grace = opts.shutdownGraceMs ?? 10_000;
    const stopped = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const allDone = () => Promise.all([...inflight].map((e) => e.finished));
    const wait = (ms: number) => new Promise<'late'>((r) => timer(() => r('late'), ms).unref());
    if (inflight.size > 0) {
      opts.log.info({ in_flight: inflight.size, grace_ms: grace }, 'shutting down: waiting for requests in flight');
      if ((await Promise.race([allDone(), wait(grace)])) === 'late') {
        opts.log.warn({ in_flight: inflight.size }, 'shutting down: grace period over, cancelling the runs still going');
        for (const e of inflight) e.abort.abort(new Error('server shutting down'));
        await Promise.race([allDone(), wait(5_000)]); // runs end with a CANCELLED result once their process trees are gone
      }
    }
    server.closeAllConnections();
    await stopped;
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`,
        port,
        get inFlight() {
          return inflight.size;
        },
        close: () => (closing ??= close()),
      });
    });
  });
}
