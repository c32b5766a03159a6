// The per-run MCP server that offers a caller's own function tools to the agent (issue 20): one
// Streamable HTTP endpoint on the loopback per run, at an unguessable path, gone when the run ends.
// A `tools/call` is parked: the engine surfaces it as a `client_tool_call` event, the door hands it to
// the caller, and the caller's result (Runtime.resolveToolCall) becomes the MCP result. A call whose
// result does not come within `timeoutMs` gets an MCP error, and the engine ends the run.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ClientTool, ClientToolResult, Logger } from '../contract.ts';
import type { BridgeItem, ToolBridgePort, ToolBridgeRun } from '../tool-bridge.ts';
import { CLINVK_VERSION } from '../version.ts';

interface Waiting {
  run: RunState;
  name: string;
  timer: ReturnType<typeof setTimeout>;
  answer(result: CallToolResult): void;
}

interface RunState {
  tools: ClientTool[];
  items: BridgeItem[];
  wake?: () => void;
  closed: boolean;
}

export interface ToolBridge extends ToolBridgePort {
  /** Stops the listener; every open run's waiting calls get an MCP error. */
  close(): Promise<void>;
}

const token = () => randomBytes(24).toString('base64url');
const callId = () => `call_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
const errorResult = (text: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text }] });

/** MCP wants an object schema; OpenAI allows a function without `parameters`. */
const objectSchema = (s: Record<string, unknown>) => ({ ...s, type: 'object' as const, ...(s.properties === undefined ? { properties: {} } : {}) });

export function createToolBridge(opts: { timeoutMs: number; log?: Logger }): ToolBridge {
  const runs = new Map<string, RunState>();
  const waiting = new Map<string, Waiting>();
  let listening: Promise<{ server: HttpServer; port: number }> | undefined;

  function push(run: RunState, item: BridgeItem) {
    run.items.push(item);
    run.wake?.();
  }

  function park(run: RunState, name: string, input: unknown): Promise<CallToolResult> {
    return new Promise((answer) => {
      const id = callId();
      const timer = setTimeout(() => {
        waiting.delete(id);
        opts.log?.warn({ tool: name, timeoutMs: opts.timeoutMs }, 'client tool result timed out');
        answer(errorResult(`The client sent no result for ${name} within ${Math.round(opts.timeoutMs / 1000)} s; the run is being stopped.`));
        push(run, { type: 'client_tool_timeout', id, name });
      }, opts.timeoutMs);
      timer.unref?.();
      waiting.set(id, { run, name, timer, answer });
      push(run, { type: 'client_tool_call', id, name, input });
    });
  }

  function mcpServer(run: RunState): Server {
    const server = new Server({ name: 'clinvk-client-tools', version: CLINVK_VERSION }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: run.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: objectSchema(t.inputSchema) })),
    }));
    server.setRequestHandler(CallToolRequestSchema, (req) => {
      if (run.closed) return errorResult('The run these tools belong to has ended.');
      if (!run.tools.some((t) => t.name === req.params.name)) return errorResult(`Unknown tool: ${req.params.name}`);
      return park(run, req.params.name, req.params.arguments ?? {});
    });
    return server;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const m = /^\/run\/([A-Za-z0-9_-]{32})\/mcp$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const run = m ? runs.get(m[1]!) : undefined;
    if (!run) {
      res.writeHead(404).end();
      return;
    }
    // Stateless: a server and transport per HTTP request (the SDK's pattern); the run's state lives above.
    const server = mcpServer(run);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (err) {
      opts.log?.warn({ err }, 'client tool bridge request failed');
      if (!res.headersSent) res.writeHead(500).end();
    }
  }

  function listen() {
    listening ??= new Promise((resolve, reject) => {
      const server = createServer((req, res) => void handle(req, res));
      server.on('error', reject);
      // Loopback only: the agents run on this machine; nothing else may reach a caller's tools.
      server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
    });
    return listening;
  }

  async function open(tools: ClientTool[]): Promise<ToolBridgeRun> {
    const { port } = await listen();
    const key = token();
    const run: RunState = { tools, items: [], closed: false };
    runs.set(key, run);
    const end = () => {
      if (run.closed) return;
      run.closed = true;
      runs.delete(key);
      for (const [id, w] of waiting) {
        if (w.run !== run) continue;
        clearTimeout(w.timer);
        waiting.delete(id);
        w.answer(errorResult('The run these tools belong to has ended.'));
      }
      run.wake?.();
    };
    async function* items(): AsyncGenerator<BridgeItem> {
      while (true) {
        if (run.items.length > 0) yield run.items.shift()!;
        else if (run.closed) return;
        else await new Promise<void>((r) => (run.wake = r));
      }
    }
    return { url: `http://127.0.0.1:${port}/run/${key}/mcp`, timeoutMs: opts.timeoutMs, items: items(), close: async () => end() };
  }

  function resolve(id: string, result: ClientToolResult): boolean {
    const w = waiting.get(id);
    if (!w) return false;
    clearTimeout(w.timer);
    waiting.delete(id);
    w.answer({ content: [{ type: 'text', text: result.content }], ...(result.isError ? { isError: true } : {}) });
    return true;
  }

  return {
    open,
    resolve,
    async close() {
      for (const [key, run] of runs) {
        runs.delete(key);
        run.closed = true;
        run.wake?.();
      }
      for (const [id, w] of waiting) {
        clearTimeout(w.timer);
        waiting.delete(id);
        w.answer(errorResult('clinvk is shutting down.'));
      }
      if (!listening) return;
      const { server } = await listening;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
