// The client's own tools (OpenAI `tools`, Anthropic `tools`), as the engine sees them: a per-run MCP
// server (runtime/node/tool-bridge-server.ts) that the agent calls, and whose calls wait for the caller's
// results. Pure: the port's types, the merge of its calls into a run's source, and the words that tell
// an agent it must call a tool.
import type { ClientTool, ClientToolResult, ClientTools } from './contract.ts';

/** The MCP server name the agents see (claude names the tools `mcp__client__<name>`). */
export const CLIENT_TOOL_SERVER = 'client';

/**
 * Whether an agent's own `tool_use` event is a call of a client tool, as each CLI names an MCP tool:
 * claude `mcp__client__<name>`, codex `client.<name>`, gemini `mcp_client_<name>`. The agent prints it
 * before its MCP client reaches the bridge, so it announces a call that is on its way.
 */
export const announcesClientCall = (toolName: string): boolean =>
  toolName.startsWith(`mcp__${CLIENT_TOOL_SERVER}__`) || toolName.startsWith(`${CLIENT_TOOL_SERVER}.`) || toolName.startsWith(`mcp_${CLIENT_TOOL_SERVER}_`);

export type BridgeItem =
  | { type: 'client_tool_call'; id: string; name: string; input: unknown }
  /** A call waited `timeoutMs` for its result: the agent got an MCP error; the run is to end. */
  | { type: 'client_tool_timeout'; id: string; name: string };

export interface ToolBridgeRun {
  /** The run's MCP endpoint (Streamable HTTP, loopback, unguessable path). */
  url: string;
  timeoutMs: number;
  /** Calls as the agent makes them; ends when the run's bridge is closed. */
  items: AsyncIterable<BridgeItem>;
  /** Removes the endpoint; calls still waiting get an MCP error. */
  close(): Promise<void>;
}

export interface ToolBridgePort {
  open(tools: ClientTool[]): Promise<ToolBridgeRun>;
  /** The caller's result for a waiting call; false when no call with this id waits. */
  resolve(id: string, result: ClientToolResult): boolean;
}

/** What a backend's argv needs to offer the client's tools (ArgvRequest.clientTools). */
export interface ClientToolServer {
  name: string;
  url: string;
  /** How long the agent's MCP client should wait for one call (the bridge answers by then). */
  timeoutMs: number;
  /** false: only these tools, none of the agent's own (as far as its flags allow). */
  builtinTools: boolean;
  toolNames: string[];
}

/** The sentence added to the prompt when the caller requires a tool call (tool_choice required / named). */
export function toolChoiceNote(choice: ClientTools['choice']): string | undefined {
  if (choice === undefined || choice === 'auto') return undefined;
  if (choice === 'required') return `(Before you answer, you must call at least one tool of the "${CLIENT_TOOL_SERVER}" MCP server.)`;
  return `(Before you answer, you must call the tool "${choice.name}" of the "${CLIENT_TOOL_SERVER}" MCP server.)`;
}

/**
 * The backend's items and the bridge's, in the order they happen: a call arrives while the agent's
 * process prints nothing (it waits for the call's result), so the two are raced, never read in turn.
 */
export async function* mergeBridge<T>(source: AsyncGenerator<T>, bridge: ToolBridgeRun): AsyncGenerator<T | BridgeItem> {
  const calls = bridge.items[Symbol.asyncIterator]();
  let fromSource: Promise<IteratorResult<T>> | undefined = source.next();
  let fromBridge: Promise<IteratorResult<BridgeItem>> | undefined = calls.next();
  try {
    while (fromSource) {
      const tagged = [fromSource.then((r) => ({ s: r }))] as Promise<{ s: IteratorResult<T> } | { b: IteratorResult<BridgeItem> }>[];
      if (fromBridge) tagged.push(fromBridge.then((r) => ({ b: r })));
      const won = await Promise.race(tagged);
      if ('s' in won) {
        fromSource = undefined;
        if (won.s.done) return;
        yield won.s.value;
        fromSource = source.next();
      } else {
        fromBridge = undefined;
        if (won.b.done) continue;
        yield won.b.value;
        fromBridge = calls.next();
      }
    }
  } finally {
    await bridge.close();
    // A source read still pending waits on the process, which the engine kills (its abort) right after:
    // return() is queued behind that read instead of awaited here (it would wait for the process).
    if (fromSource) void fromSource.then(() => source.return(undefined), () => {});
    else await source.return(undefined);
  }
}
