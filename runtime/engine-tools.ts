// The engine's side of a caller's own tools: open the run's MCP bridge, say what the argv builders
// need, and tell the agent when the caller requires a tool call. Pure (the bridge is a port).
import { ClinvkError, type Invocation } from './contract.ts';
import { CLIENT_TOOL_SERVER, toolChoiceNote, type ClientToolServer, type ToolBridgePort, type ToolBridgeRun } from './tool-bridge.ts';

export type { ToolBridgePort } from './tool-bridge.ts';

export interface OpenedClientTools {
  /** The invocation as run: the prompt carries the tool_choice note when there is one. */
  inv: Invocation;
  server?: ClientToolServer;
  bridge?: ToolBridgeRun;
}

/** What a dry run shows in place of a real endpoint (nothing is opened for it). */
const DRY_RUN_URL = 'http://127.0.0.1:0/run/<per-run-token>/mcp';

export async function openClientTools(inv: Invocation, port: ToolBridgePort | undefined): Promise<OpenedClientTools> {
  const ct = inv.clientTools;
  if (!ct || ct.tools.length === 0) return { inv };
  if (!port && !inv.dryRun) {
    throw new ClinvkError('INVALID_INPUT', 'the caller\'s own tools (function tools) can only be served by a clinvk server (clinvk serve)', { details: { param: 'tools' } });
  }
  const names = new Set<string>();
  for (const t of ct.tools) {
    if (names.has(t.name)) throw new ClinvkError('INVALID_INPUT', `two tools are named "${t.name}"; tool names must be unique`, { details: { param: 'tools' } });
    names.add(t.name);
  }
  if (typeof ct.choice === 'object' && !names.has(ct.choice.name)) {
    throw new ClinvkError('INVALID_INPUT', `tool_choice names "${ct.choice.name}", which is not one of the tools`, { details: { param: 'tool_choice' } });
  }
  const note = toolChoiceNote(ct.choice);
  const runInv = note ? { ...inv, prompt: `${inv.prompt}\n\n${note}` } : inv;
  const bridge = inv.dryRun ? undefined : await port!.open(ct.tools);
  const server: ClientToolServer = {
    name: CLIENT_TOOL_SERVER,
    url: bridge?.url ?? DRY_RUN_URL,
    timeoutMs: bridge?.timeoutMs ?? 0,
    builtinTools: ct.builtinTools !== false,
    toolNames: [...names],
  };
  return bridge ? { inv: runInv, server, bridge } : { inv: runInv, server };
}
