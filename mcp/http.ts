// The Streamable-HTTP MCP endpoint as a pure fetch handler (`/mcp`), on the SDK's web-standard
// transport: no node:* here, so it runs behind the Node server and in a Worker alike.
//
// Stateful by default: `initialize` opens a session (Mcp-Session-Id), later requests find their
// server by that header, so `notifications/cancelled` reaches the handler that runs the agent and
// kills it. A session ends on DELETE, or when it has been idle (no request and no run in flight)
// for `sessionIdleMs`. `stateless: true` builds a fresh server per request instead (no cancel by
// notification; a client that disconnects still stops its run).
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Runtime } from '../runtime/contract.ts';
import { RunTable } from './run-table.ts';
import { createMcpServer, type McpServerOptions } from './server.ts';

export interface McpHttpOptions extends McpServerOptions {
  stateless?: boolean;
  /** Idle sessions are closed after this long (default 30 min). */
  sessionIdleMs?: number;
  /** Open sessions at most; a new one evicts the longest-idle session or gets 503 (default 256). */
  maxSessions?: number;
  now?: () => number;
}

interface Entry {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  lastSeen: number;
  /** Runs in flight: a session that is running an agent is never idle. */
  active: number;
}

const rpcError = (status: number, code: number, message: string) =>
  Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });

/** The runtime with `run` counted, so a long tool call keeps its session alive. */
function counted(runtime: Runtime, entry: { active: number }): Runtime {
  async function* run(...args: Parameters<Runtime['run']>) {
    entry.active++;
    try {
      yield* runtime.run(...args);
    } finally {
      entry.active--;
    }
  }
  return Object.assign(Object.create(runtime) as Runtime, { run });
}

export function createMcpHttpHandler(runtime: Runtime, opts: McpHttpOptions = {}): (req: Request) => Promise<Response> {
  // One table for every session and request of this endpoint: a run started in one call is read in another.
  const shared = { ...opts, runs: opts.runs ?? new RunTable() };
  return shared.stateless ? statelessHandler(runtime, shared) : statefulHandler(runtime, shared);
}

function statelessHandler(runtime: Runtime, opts: McpHttpOptions) {
  return async (req: Request): Promise<Response> => {
    const server = createMcpServer(runtime, opts);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    // Closing the server aborts its handlers' signals, which kills the runs.
    req.signal.addEventListener('abort', () => void server.close(), { once: true });
    return transport.handleRequest(req);
  };
}

function statefulHandler(runtime: Runtime, opts: McpHttpOptions) {
  const now = opts.now ?? Date.now;
  const idleMs = opts.sessionIdleMs ?? 30 * 60_000;
  const maxSessions = opts.maxSessions ?? 256;
  const sessions = new Map<string, Entry>();

  const close = (id: string, e: Entry) => {
    sessions.delete(id);
    void e.server.close().catch(() => undefined);
  };
  const sweep = () => {
    for (const [id, e] of sessions) if (e.active === 0 && now() - e.lastSeen > idleMs) close(id, e);
  };
  const makeRoom = (): boolean => {
    if (sessions.size < maxSessions) return true;
    const idle = [...sessions].filter(([, e]) => e.active === 0).sort(([, a], [, b]) => a.lastSeen - b.lastSeen)[0];
    if (idle) close(...idle);
    return idle !== undefined;
  };

  async function open(req: Request): Promise<Response> {
    if (!makeRoom()) return rpcError(503, -32000, `too many MCP sessions (${maxSessions}) are running agents; retry later`);
    const entry = { lastSeen: now(), active: 0 } as Entry;
    entry.server = createMcpServer(counted(runtime, entry), opts);
    entry.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, entry),
      onsessionclosed: (id) => close(id, entry),
    });
    await entry.server.connect(entry.transport);
    const res = await entry.transport.handleRequest(req);
    // Anything but an initialize without a session id is refused by the transport (400): drop it.
    if (entry.transport.sessionId === undefined) void entry.server.close().catch(() => undefined);
    return res;
  }

  return async (req: Request): Promise<Response> => {
    sweep();
    const id = req.headers.get('mcp-session-id');
    if (id === null) return open(req);
    const entry = sessions.get(id);
    if (!entry) return rpcError(404, -32001, 'MCP session not found (expired or closed): initialize a new session');
    entry.lastSeen = now();
    return entry.transport.handleRequest(req);
  };
}
