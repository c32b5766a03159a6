// /mcp on the edge: Streamable HTTP forwarded to a runner's own /mcp. An MCP session lives in one runner
// process (its server, its runs, its cancels), so every request of a session must reach that runner:
// `initialize` picks an up runner, the session id the client gets is `<runner name>-<runner's id>`, and the
// Durable Object maps it to its runner for every later request, whichever isolate takes it.
import { isClinvkError, type Logger } from '../../runtime/contract.ts';
import { joinRunnerId } from '../../runtime/runner-list.ts';
import type { RunnerRouter } from '../../runtime/runner-router.ts';
import type { RunnerSpec } from '../../runtime/runner-list.ts';
import { errorResponse, thrownToResponse } from '../errors.ts';
import type { EdgeMemory } from './state-client.ts';

export interface McpRoute {
  runner: string;
  /** The runner's own Mcp-Session-Id. */
  id: string;
}

export interface McpForwardDeps {
  router: RunnerRouter;
  sessions: EdgeMemory<McpRoute>;
  /** The runners' API key. */
  token?: string;
  fetch: typeof fetch;
  log: Logger;
}

/** Only what Streamable HTTP needs goes on: never the edge client's own key. */
const PASSED_HEADERS = ['accept', 'content-type', 'mcp-protocol-version', 'last-event-id'];

export function createMcpForwarder(deps: McpForwardDeps): (req: Request) => Promise<Response> {
  const send = (req: Request, runner: RunnerSpec, body: ArrayBuffer | undefined, sessionId?: string) => {
    const headers = new Headers();
    for (const name of PASSED_HEADERS) {
      const v = req.headers.get(name);
      if (v !== null) headers.set(name, v);
    }
    if (sessionId) headers.set('mcp-session-id', sessionId);
    if (deps.token) headers.set('authorization', `Bearer ${deps.token}`);
    return deps.fetch(`${runner.url}/mcp`, { method: req.method, headers, ...(body ? { body } : {}), signal: req.signal });
  };

  /** The runner's answer, streamed as is, with the session id the client knows. */
  const relay = (res: Response, edgeId?: string) => {
    const headers = new Headers(res.headers);
    if (edgeId) headers.set('mcp-session-id', edgeId);
    else headers.delete('mcp-session-id');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };

  async function open(req: Request, body: ArrayBuffer | undefined): Promise<Response> {
    const tried: string[] = [];
    for (const runner of await deps.router.forNew()) {
      let res: Response;
      try {
        res = await send(req, runner, body);
      } catch (err) {
        if (req.signal.aborted) throw err;
        tried.push(runner.name);
        await deps.router.failed(runner, 'it refused the connection');
        deps.log.warn({ runner: runner.name, err: String(err) }, 'runner failed on MCP initialize; marked down');
        continue;
      }
      const id = res.headers.get('mcp-session-id');
      if (!id) return relay(res);
      const edgeId = joinRunnerId(runner.name, id);
      await deps.sessions.set(edgeId, { runner: runner.name, id });
      return relay(res, edgeId);
    }
    return errorResponse('mcp', 503, 'BACKEND_UNAVAILABLE', `no runner could open the MCP session (tried ${tried.map((n) => `"${n}"`).join(', ')})`, { 'retry-after': String(deps.router.retryAfterSeconds) });
  }

  return async (req: Request): Promise<Response> => {
    const body = req.method === 'POST' ? await req.arrayBuffer() : undefined;
    const edgeId = req.headers.get('mcp-session-id');
    if (edgeId === null) return open(req, body);
    const route = await deps.sessions.touch(edgeId);
    if (!route) return errorResponse('mcp', 404, 'SESSION_NOT_FOUND', 'MCP session not found (expired or closed): initialize a new session');
    try {
      const runner = await deps.router.owner(route.runner);
      let res: Response;
      try {
        res = await send(req, runner, body, route.id);
      } catch (err) {
        if (req.signal.aborted) throw err;
        await deps.router.failed(runner, 'it refused the connection');
        throw deps.router.downError(runner.name, 'it refused the connection');
      }
      // Closed by the client, or forgotten by the runner (idle, restarted): the edge forgets it too.
      if ((req.method === 'DELETE' && res.ok) || res.status === 404) await deps.sessions.delete(edgeId);
      return relay(res, edgeId);
    } catch (err) {
      if (!isClinvkError(err)) throw err;
      // The session's runner is down: a 503 naming it, with Retry-After, as JSON-RPC.
      return thrownToResponse('mcp', err).response;
    }
  };
}
