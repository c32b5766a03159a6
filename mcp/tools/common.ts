// What every clinvk MCP tool shares: the context it runs in, streaming text as progress
// notifications, and turning any thrown error into a tool error result (never a crashed server).
// Pure: runs on Node (stdio, /mcp) and in workerd alike.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { isClinvkError, type Logger, type Runtime } from '../../runtime/contract.ts';
import type { RunTable } from '../run-table.ts';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolContext {
  runtime: Runtime;
  defaultBackend: string;
  /** Background runs and kept large answers (shared by every MCP session of one server). */
  runs: RunTable;
  /** Answers larger than this (estimated tokens) are returned in pages. */
  pageTokens: number;
  pageChars: number;
  /** While the backend is silent, a progress notification this often keeps the call alive. 0 = never. */
  heartbeatMs: number;
}

/**
 * Sends text deltas as `notifications/progress` when the client asked for progress (sent a
 * progressToken). `progress` counts the notifications so it always increases. Sends are queued
 * so they keep their order without making the run wait for the transport; `flush()` before
 * returning the result so every delta leaves before the response does.
 */
export function progressReporter(extra: Extra, heartbeatMs = 0) {
  const token = extra._meta?.progressToken;
  let count = 0;
  let last = Date.now();
  let queue: Promise<unknown> = Promise.resolve();
  const notify = (message: string) => {
    const progress = ++count;
    last = Date.now();
    queue = queue
      .then(() => extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token!, progress, message } }))
      .catch(() => undefined); // a closed transport must not fail the run
  };
  // Clients drop calls that stay silent (many after ~60 s) unless progress resets their timeout.
  const timer =
    token !== undefined && heartbeatMs > 0
      ? setInterval(() => {
          if (Date.now() - last >= heartbeatMs) notify('(still working)');
        }, Math.min(heartbeatMs, 1000))
      : undefined;
  return {
    send(message: string): void {
      if (token === undefined || message === '') return;
      notify(message);
    },
    flush: () => {
      clearInterval(timer);
      return queue;
    },
  };
}

/**
 * A tool error an agent can act on: the clinvk code, the message and what to do about it. Never an
 * error's `detail` nor an unexpected error's own message (they can name paths on this machine; the
 * caller may be remote, over /mcp): those go to `log`.
 */
export function errorResult(e: unknown, log?: Logger): CallToolResult {
  if (isClinvkError(e)) {
    if (e.detail) log?.warn({ code: e.code, detail: e.detail }, e.message);
    return { isError: true, content: [{ type: 'text', text: `${e.code}: ${e.message}${e.hint ? `\nHint: ${e.hint}` : ''}` }] };
  }
  log?.error({ err: e }, 'an MCP tool failed unexpectedly');
  return { isError: true, content: [{ type: 'text', text: 'INTERNAL: the tool failed unexpectedly (the server log has the details)' }] };
}

/** Wraps a tool handler so an engine ClinvkError (bad workdir, unknown backend, …) becomes isError. */
export function safely<A>(log: Logger | undefined, fn: (args: A, extra: Extra) => Promise<CallToolResult>) {
  return async (args: A, extra: Extra): Promise<CallToolResult> => {
    try {
      return await fn(args, extra);
    } catch (e) {
      return errorResult(e, log);
    }
  };
}

/** JSON-safe copy: drops `undefined` fields so every transport (in-memory too) sends the same object. */
export const plain = <T>(v: T): Record<string, unknown> => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
